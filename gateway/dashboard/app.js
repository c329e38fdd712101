/**
 * The IOC wall: one unit's key indicators against their targets with a
 * monthly sparkline, live alerts and dossier events of its subtree, and each
 * upstream's freshness. Data comes from the hub's own graph (queries once,
 * then subscriptions over SSE); the page never reloads.
 *
 * The wall's state lives in the URL (?unit=…&period=…&lang=…), so a screen
 * can be pointed at a bookmark and come back to the same view after a power cut.
 */
import {
  ALERTS,
  DOSSIER_EVENTS,
  INDICATOR_CHANGED,
  INDICATORS,
  KEY_INDICATORS,
  SOURCE_STATUS,
  SOURCES,
  TRENDS,
  UNIT,
  UNITS,
} from './documents.js';
import { createClient, GraphQLRequestError, Unauthorized } from './graphql.js';
import { formatters, LANGUAGES, SHOWN_ALERT_VALUES, since, STRINGS } from './i18n.js';
import { sparkline } from './sparkline.js';

/** Months in a sparkline. */
const TREND_MONTHS = 12;
/** Items kept in each live list: a wall shows the latest, not a history. */
const FEED_LENGTH = 40;
const KEY_STORAGE = 'lgsp-hub.dashboard.apiKey';
const LANGUAGE_STORAGE = 'lgsp-hub.dashboard.lang';

const $ = (id) => document.getElementById(id);

// ─── State ─────────────────────────────────────────────────────────────────────────────────────────────────────

const params = new URLSearchParams(location.search);
const state = {
  lang: pickLanguage(),
  unit: null, // { code, name }
  period: params.get('period') || vietnamToday().slice(0, 4),
  /** code → IndicatorValue fields, for the period shown. */
  indicators: new Map(),
  /** code → { periods: string[], values: (number|null)[] } */
  trends: new Map(),
  trendRange: null,
  alerts: [],
  dossierEvents: [],
  /** name → { name, status, lastSuccessAt, error } */
  sources: new Map(),
  /** subscription name → its last state, for the status line. */
  live: new Map(),
  retryAt: null,
};
let t = STRINGS[state.lang];
let format = formatters(state.lang);

function pickLanguage() {
  const asked = params.get('lang') ?? localStorage.getItem(LANGUAGE_STORAGE);
  return LANGUAGES.includes(asked) ? asked : 'vi';
}

/** Today in Vietnam as YYYY-MM-DD, whatever the wall's own time zone. */
function vietnamToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}

function saveUrl() {
  const url = new URL(location.href);
  if (state.unit) url.searchParams.set('unit', state.unit.code);
  url.searchParams.set('period', state.period);
  url.searchParams.set('lang', state.lang);
  history.replaceState(null, '', url);
}

// ─── The API key (production mode) ────────────────────────────────────────────────────────────────────────────

let keyEntered = deferred();
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}
const auth = {
  key: () => sessionStorage.getItem(KEY_STORAGE),
  unauthorized() {
    const form = $('key-form');
    if (!form.hidden) return;
    form.hidden = false;
    showError(auth.key() ? t.apiKeyRefused : null);
    $('key-input').focus();
  },
  changed: () => keyEntered.promise,
};
$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('key-input').value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY_STORAGE, key);
  $('key-input').value = '';
  $('key-form').hidden = true;
  showError(null);
  const entered = keyEntered;
  keyEntered = deferred();
  entered.resolve();
  // Queries that failed for want of the key run again; subscriptions waiting on it retry by themselves.
  loadSources();
  if (state.unit) loadUnitData();
  else restoreUnit();
});

const client = createClient({ auth });

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message ? `${t.error}: ${message}` : '';
}
/** Reports a failed query unless it only wanted a key (the key form says so). */
function reportFailure(error) {
  if (error instanceof Unauthorized || error?.name === 'AbortError') return;
  showError(error instanceof GraphQLRequestError ? error.message : String(error?.message ?? error));
}

// ─── Unit picker: a combobox over `units(filter: { search })` ─────────────────────────────────────────────────

const unitInput = $('unit-input');
const unitList = $('unit-options');
let unitOptions = [];
let activeOption = -1;
let searchTimer;
let searchSeq = 0;

async function searchUnits() {
  const seq = ++searchSeq;
  try {
    const data = await client.query(UNITS, { search: unitInput.value.trim() || null });
    if (seq !== searchSeq) return; // a later keystroke's answer wins
    unitOptions = data.units.edges.map((e) => e.node);
    activeOption = unitOptions.length ? 0 : -1;
    renderUnitOptions();
  } catch (error) {
    reportFailure(error);
  }
}

function renderUnitOptions() {
  unitList.replaceChildren(
    ...(unitOptions.length
      ? unitOptions.map((unit, i) => {
          const li = document.createElement('li');
          li.id = `unit-option-${i}`;
          li.setAttribute('role', 'option');
          li.setAttribute('aria-selected', String(i === activeOption));
          li.dataset.code = unit.code;
          li.append(unit.name, ' ');
          const code = document.createElement('span');
          code.className = 'option-code';
          code.textContent = unit.validTo ? `${unit.code} · ${t.dissolved(unit.validTo)}` : unit.code;
          li.append(code);
          li.addEventListener('click', () => pickUnit(unit));
          return li;
        })
      : [Object.assign(document.createElement('li'), { className: 'option-none', textContent: t.unitNoMatch })]),
  );
  unitList.hidden = false;
  unitInput.setAttribute('aria-expanded', 'true');
  if (activeOption >= 0) unitInput.setAttribute('aria-activedescendant', `unit-option-${activeOption}`);
  else unitInput.removeAttribute('aria-activedescendant');
}

function closeUnitOptions() {
  // A search still on its way must not open the list again.
  clearTimeout(searchTimer);
  searchSeq++;
  unitList.hidden = true;
  unitInput.setAttribute('aria-expanded', 'false');
  unitInput.removeAttribute('aria-activedescendant');
}

unitInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(searchUnits, 200);
});
unitInput.addEventListener('focus', () => {
  unitInput.select();
  searchUnits();
});
unitInput.addEventListener('blur', () => {
  closeUnitOptions();
  if (state.unit) unitInput.value = state.unit.name;
});
// Keep focus in the input while an option is clicked.
unitList.addEventListener('mousedown', (event) => event.preventDefault());
unitInput.addEventListener('keydown', (event) => {
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (unitList.hidden) return searchUnits();
    if (!unitOptions.length) return;
    const step = event.key === 'ArrowDown' ? 1 : -1;
    activeOption = (activeOption + step + unitOptions.length) % unitOptions.length;
    renderUnitOptions();
    $(`unit-option-${activeOption}`)?.scrollIntoView({ block: 'nearest' });
  } else if (event.key === 'Enter') {
    event.preventDefault();
    if (!unitList.hidden && unitOptions[activeOption]) pickUnit(unitOptions[activeOption]);
  } else if (event.key === 'Escape') {
    closeUnitOptions();
  }
});

function pickUnit(unit) {
  closeUnitOptions();
  unitInput.value = unit.name;
  if (state.unit?.code === unit.code) return;
  state.unit = { code: unit.code, name: unit.name };
  saveUrl();
  subscribeUnit();
  loadUnitData();
  unitInput.blur();
}

// ─── Period ───────────────────────────────────────────────────────────────────────────────────────────────────

const periodInput = $('period-input');
periodInput.value = state.period;
periodInput.addEventListener('change', () => {
  const period = periodInput.value.trim().toUpperCase();
  if (!period || period === state.period) return;
  state.period = period;
  saveUrl();
  if (!state.unit) return;
  subscribeIndicators();
  loadUnitData();
});

/**
 * The sparkline's months: the twelve ending with the period's last month,
 * or with this month when the period is not over (later months have nothing yet).
 */
function trendRange(period) {
  const match = /^(\d{4})(?:-(H[12]|Q[1-4]|\d{2}))?$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  const part = match[2];
  let month = 12;
  if (part?.startsWith('H')) month = Number(part[1]) * 6;
  else if (part?.startsWith('Q')) month = Number(part[1]) * 3;
  else if (part) month = Number(part);
  const [thisYear, thisMonth] = vietnamToday().split('-').map(Number);
  let end = year * 12 + month - 1;
  end = Math.min(end, thisYear * 12 + thisMonth - 1);
  const start = end - (TREND_MONTHS - 1);
  const label = (m) => `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  return { from: label(start), to: label(end) };
}

// ─── Loading ──────────────────────────────────────────────────────────────────────────────────────────────────

let loadController;
async function loadUnitData() {
  loadController?.abort();
  const controller = (loadController = new AbortController());
  const unitCode = state.unit.code;
  showError(null);
  const indicators = client
    .query(INDICATORS, { unitCode, period: state.period, codes: KEY_INDICATORS }, controller.signal)
    .then((data) => {
      state.indicators = new Map((data.indicators ?? []).map((v) => [v.code, v]));
      // The hub's canonical label ("2026-q4" → "2026-Q4") is what live changes carry.
      const canonical = data.indicators?.[0]?.period;
      if (canonical && canonical !== state.period) {
        state.period = periodInput.value = canonical;
        saveUrl();
      }
    });
  const results = await Promise.allSettled([indicators, loadTrends(unitCode, controller.signal)]);
  if (controller.signal.aborted) return;
  if (results[0].status === 'rejected') state.indicators = new Map(); // no stale figures under a new period's label
  for (const result of results) if (result.status === 'rejected') reportFailure(result.reason);
  renderIndicators();
}

/** The sparklines' points: one aliased `trend` per key indicator, in one request. */
async function loadTrends(unitCode, signal) {
  const range = trendRange(state.period);
  if (!range) {
    state.trends = new Map();
    return;
  }
  const codes = Object.fromEntries(KEY_INDICATORS.map((code, i) => [`c${i}`, code]));
  const data = await client.query(TRENDS, { unitCode, ...range, ...codes }, signal);
  state.trendRange = range;
  state.trends = new Map(
    KEY_INDICATORS.map((code, i) => {
      const points = data[`t${i}`] ?? [];
      return [code, { periods: points.map((p) => p.period), values: points.map((p) => p.value) }];
    }),
  );
}

async function reloadTrends() {
  if (!state.unit) return;
  const unitCode = state.unit.code;
  try {
    await loadTrends(unitCode, loadController?.signal);
    if (state.unit?.code === unitCode) for (const code of KEY_INDICATORS) renderIndicator(code);
  } catch (error) {
    reportFailure(error);
  }
}

async function loadSources() {
  try {
    const data = await client.query(SOURCES);
    for (const source of data.sources) {
      const known = state.sources.get(source.name);
      state.sources.set(source.name, {
        name: source.name,
        // The live status, once one has arrived, knows better than this guess from the snapshot.
        status: known?.live ? known.status : statusOf(source),
        live: known?.live ?? false,
        lastSuccessAt: source.lastSuccessAt,
        error: source.lastError,
      });
    }
    renderSources();
  } catch (error) {
    reportFailure(error);
  }
}

/** A source's status from the `sources` snapshot, before any live status change has been heard. */
function statusOf(source) {
  if (source.circuit === 'OPEN') return 'CIRCUIT_OPEN';
  if (source.lastError) return 'FAILING';
  if (!source.lastSuccessAt) return 'UNKNOWN';
  return 'FRESH';
}

// ─── Subscriptions ────────────────────────────────────────────────────────────────────────────────────────────

let unitSubscriptions = [];
let indicatorSubscription;

function track(name) {
  return (status, detail) => {
    state.live.set(name, status);
    if (status === 'retrying') state.retryAt = Date.now() + detail;
    if (status === 'error') console.warn(`subscription ${name}:`, detail);
    if (status === 'error' && detail instanceof GraphQLRequestError) showError(detail.message);
    renderLiveStatus();
  };
}

/**
 * Indicator changes of the unit for the period shown: the hub evaluates a
 * (unit, period) after each sync only while someone subscribes to it, so a
 * new period is a new subscription.
 */
function subscribeIndicators() {
  indicatorSubscription?.close();
  indicatorSubscription = client.subscribe({
    query: INDICATOR_CHANGED,
    variables: { unitCode: state.unit.code, codes: KEY_INDICATORS, period: state.period },
    field: 'indicatorChanged',
    onData: applyIndicatorChange,
    onState: track('indicatorChanged'),
    onExpired: () => state.unit && loadUnitData(),
  });
}

function subscribeUnit() {
  for (const subscription of unitSubscriptions) subscription.close();
  state.alerts = [];
  state.dossierEvents = [];
  renderFeeds();
  subscribeIndicators();
  const unitCode = state.unit.code;
  unitSubscriptions = [
    client.subscribe({
      query: ALERTS,
      variables: { unitCode },
      field: 'alerts',
      onData: (alert) => addToFeed('alerts', alert),
      onState: track('alerts'),
    }),
    client.subscribe({
      query: DOSSIER_EVENTS,
      variables: { unitCode },
      field: 'dossierEvents',
      onData: (event) => addToFeed('dossierEvents', event),
      onState: track('dossierEvents'),
    }),
  ];
}

let trendTimer;
function applyIndicatorChange(change) {
  const value = change.value;
  if (!KEY_INDICATORS.includes(value.code) || value.period !== state.period) return;
  state.indicators.set(value.code, value);
  renderIndicator(value.code);
  // What changed the period's value changed its latest month too: redraw the sparklines once the sync's burst is over.
  clearTimeout(trendTimer);
  trendTimer = setTimeout(reloadTrends, 5_000);
}

function addToFeed(name, item) {
  const list = state[name];
  if (list.some((x) => x.eventId === item.eventId)) return; // a replay after reconnecting may overlap
  list.unshift(item);
  list.length = Math.min(list.length, FEED_LENGTH);
  const element = name === 'alerts' ? $('alerts') : $('dossier-events');
  element.prepend(name === 'alerts' ? alertItem(item) : dossierItem(item));
  while (element.children.length > FEED_LENGTH) element.lastElementChild.remove();
  $(name === 'alerts' ? 'alerts-empty' : 'dossiers-empty').hidden = true;
}

client.subscribe({
  query: SOURCE_STATUS,
  variables: {},
  field: 'sourceStatusChanged',
  onData: (change) => {
    const known = state.sources.get(change.source) ?? { name: change.source };
    state.sources.set(change.source, {
      ...known,
      status: change.status,
      live: true,
      lastSuccessAt: change.lastSuccessAt ?? known.lastSuccessAt ?? null,
      error: change.error,
    });
    renderSources();
  },
  onState: track('sourceStatusChanged'),
  onExpired: loadSources,
});

// ─── Rendering ────────────────────────────────────────────────────────────────────────────────────────────────

function node(tag, className, text) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined && text !== null) element.textContent = text;
  return element;
}

function renderStatic() {
  document.documentElement.lang = state.lang;
  document.title = t.title;
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t[element.dataset.i18n];
  unitInput.placeholder = t.unitPlaceholder;
  const button = $('language');
  button.textContent = t.switchLanguage;
  button.lang = state.lang === 'vi' ? 'en' : 'vi';
  button.setAttribute('aria-label', t.switchLanguageLabel);
}

function renderIndicators() {
  $('unit-none').hidden = Boolean(state.unit);
  $('unit-name').textContent = state.unit ? `— ${state.unit.name} · ${state.period}` : '';
  const list = $('indicator-cards');
  list.replaceChildren(...(state.unit ? KEY_INDICATORS.map(indicatorCard) : []));
}

function renderIndicator(code) {
  const old = document.querySelector(`#indicator-cards [data-code="${code}"]`);
  if (old) old.replaceWith(indicatorCard(code));
}

function indicatorCard(code) {
  const value = state.indicators.get(code);
  const card = node('li', 'card');
  card.dataset.code = code;
  card.dataset.meets = String(value?.meetsTarget ?? 'none');
  card.append(node('h3', 'card-name', value ? (state.lang === 'vi' ? value.name : value.nameEn) : code));
  const figure = node('p', 'card-value');
  if (value?.value === null || value?.value === undefined) figure.append(node('span', 'no-value', t.noValue));
  else {
    const data = node('data', null, format.value(value.value, value.unit));
    data.value = String(value.value);
    figure.append(data);
  }
  card.append(figure);

  const target = node('p', 'card-target');
  if (value?.target === null || value?.target === undefined) target.textContent = t.noTarget;
  else {
    target.append(`${t.target} ${format.value(value.target, value.unit)}`);
    if (value.meetsTarget !== null) {
      target.append(' ');
      target.append(
        node(
          'span',
          `badge ${value.meetsTarget ? 'badge-meets' : 'badge-misses'}`,
          value.meetsTarget ? t.meets : t.misses,
        ),
      );
    }
    if (value.gap !== null) {
      const sign = value.gap > 0 ? '+' : '';
      target.append(node('span', 'gap', ` ${t.gap} ${sign}${format.precise(value.gap)}`));
    }
  }
  card.append(target);

  const trend = state.trends.get(code);
  if (trend && state.trendRange) {
    const known = trend.values.some((v) => v !== null);
    const label = known ? t.trend(state.trendRange.from, state.trendRange.to) : t.trendEmpty;
    const figureTrend = node('figure', 'card-trend');
    figureTrend.append(sparkline(trend.values, value?.target ?? null, label));
    card.append(figureTrend);
  }
  if (value?.computedAt) card.append(node('p', 'card-updated', `${t.updated} ${format.time(value.computedAt)}`));
  return card;
}

function alertItem(alert) {
  const li = node('li', `alert severity-${alert.severity}`);
  li.dataset.eventId = alert.eventId;
  const head = node('p', 'feed-head');
  head.append(node('span', `badge badge-${alert.severity}`, t.severity[alert.severity] ?? alert.severity));
  head.append(' ', node('span', 'feed-kind', t.alertKinds[alert.kind] ?? alert.kind), ' ');
  const time = node('time', null, format.time(alert.at));
  time.dateTime = alert.at;
  head.append(time);
  li.append(head);
  li.append(node('p', 'feed-message', state.lang === 'vi' ? alert.messageVi : alert.messageEn));
  const byName = new Map(alert.values.map((v) => [v.name, v]));
  const values = SHOWN_ALERT_VALUES.filter((name) => byName.has(name))
    .map((name) => `${t.alertValues[name]}: ${alertValue(byName.get(name))}`)
    .join(' · ');
  if (values) li.append(node('p', 'feed-detail', values));
  return li;
}

/** A number in the language's format, an instant in Vietnam time, other text as it is. */
function alertValue({ number, text }) {
  if (number !== null && number !== undefined) return format.precise(number);
  if (text && /^\d{4}-\d{2}-\d{2}T/.test(text)) return format.time(text);
  return text ?? '—';
}

function dossierItem(event) {
  const li = node('li', `dossier kind-${event.kind}`);
  li.dataset.eventId = event.eventId;
  const head = node('p', 'feed-head');
  head.append(node('span', 'feed-kind', t.dossierKinds[event.kind] ?? event.kind), ' ');
  head.append(node('span', 'feed-code', event.dossierCode), ' ');
  const time = node('time', null, format.time(event.at));
  time.dateTime = event.at;
  head.append(time);
  li.append(head);
  const detail = [event.dossier?.procedure?.name, event.dossier?.unit?.name].filter(Boolean).join(' · ');
  if (detail) li.append(node('p', 'feed-detail', detail));
  return li;
}

function renderFeeds() {
  // Redrawn for a new unit or language, not added: keep the screen reader from reading the whole list again.
  for (const [name, id, empty, item] of [
    ['alerts', 'alerts', 'alerts-empty', alertItem],
    ['dossierEvents', 'dossier-events', 'dossiers-empty', dossierItem],
  ]) {
    const list = $(id);
    list.setAttribute('aria-live', 'off');
    list.replaceChildren(...state[name].map(item));
    $(empty).hidden = state[name].length > 0;
    requestAnimationFrame(() => list.setAttribute('aria-live', 'polite'));
  }
}

function renderSources() {
  const now = Date.now();
  $('sources').replaceChildren(
    ...['ONE_STOP_SHOP', 'CADRE_DB', 'BUDGET']
      .filter((name) => state.sources.has(name))
      .map((name) => {
        const source = state.sources.get(name);
        const li = node('li', `source status-${source.status}`);
        li.dataset.source = name;
        li.append(node('span', 'source-name', t.sourceNames[name] ?? name));
        li.append(node('span', `badge badge-${source.status}`, t.sourceStatus[source.status] ?? source.status));
        const last = node('span', 'source-age', `${t.lastSync}: ${since(t, source.lastSuccessAt, now)}`);
        if (source.lastSuccessAt) last.title = format.time(source.lastSuccessAt);
        li.append(last);
        if (source.error) li.append(node('span', 'source-error', source.error));
        return li;
      }),
  );
}

function renderLiveStatus() {
  const states = [...state.live.values()];
  const line = $('live-status');
  let text = t.liveConnecting;
  let kind = 'connecting';
  if (states.includes('unauthorized')) [text, kind] = [t.liveNeedsKey, 'down'];
  else if (states.some((s) => s === 'retrying' || s === 'error')) {
    const seconds = Math.max(1, Math.round(((state.retryAt ?? Date.now()) - Date.now()) / 1000));
    [text, kind] = [t.liveRetrying(seconds), 'down'];
  } else if (states.includes('interrupted')) [text, kind] = [t.liveInterrupted, 'down'];
  else if (states.length && states.every((s) => s === 'open')) [text, kind] = [t.liveOpen, 'open'];
  line.textContent = text;
  line.dataset.state = kind;
}

function renderAll() {
  renderStatic();
  renderIndicators();
  renderFeeds();
  renderSources();
  renderLiveStatus();
}

$('language').addEventListener('click', () => {
  state.lang = state.lang === 'vi' ? 'en' : 'vi';
  localStorage.setItem(LANGUAGE_STORAGE, state.lang);
  t = STRINGS[state.lang];
  format = formatters(state.lang);
  saveUrl();
  renderAll();
});

// ─── Start ────────────────────────────────────────────────────────────────────────────────────────────────────

renderAll();
loadSources();
// "5 phút trước" ages without events; the lag is refetched now and then (cheap), the text redrawn in between.
setInterval(renderSources, 15_000);
setInterval(loadSources, 60_000);

/** The unit the URL names, once the hub answers (after the API key, when one is needed). */
function restoreUnit() {
  const code = params.get('unit');
  if (!code) return;
  client
    .query(UNIT, { code })
    .then((data) => data.unit && !state.unit && pickUnit(data.unit))
    .catch(reportFailure);
}
restoreUnit();
