/**
 * Every label of the dashboard, in Vietnamese (the default) and English, in
 * one dictionary so a translator edits one place. Names of indicators come
 * from the hub (name / nameEn); alerts carry their own messageVi / messageEn.
 */

export const LANGUAGES = ['vi', 'en'];

/** BCP 47 locales for number and date formats: vi-VN writes 98,5 and 1.234; en-GB 98.5 and 1,234. */
export const LOCALES = { vi: 'vi-VN', en: 'en-GB' };

export const STRINGS = {
  vi: {
    title: 'Trung tâm điều hành — Chỉ số trực tiếp',
    unit: 'Đơn vị',
    unitPlaceholder: 'Gõ tên đơn vị, ví dụ “yen the”',
    unitNoMatch: 'Không có đơn vị phù hợp',
    dissolved: (day) => `giải thể từ ${day}`,
    unitNone: 'Chọn một đơn vị để xem chỉ số',
    period: 'Kỳ',
    periodHelp: 'Năm (2026), nửa năm (2026-H1), quý (2026-Q4) hoặc tháng (2026-11)',
    language: 'Ngôn ngữ',
    switchLanguage: 'English',
    switchLanguageLabel: 'Switch to English',
    indicators: 'Chỉ số chính',
    alerts: 'Cảnh báo',
    dossierEvents: 'Hồ sơ',
    sources: 'Nguồn dữ liệu',
    target: 'Mục tiêu',
    noTarget: 'Không có mục tiêu',
    meets: 'Đạt',
    misses: 'Chưa đạt',
    noValue: 'Chưa có số liệu',
    gap: 'Chênh lệch',
    trend: (from, to) => `Xu hướng theo tháng, ${from} đến ${to}`,
    trendEmpty: 'Chưa có số liệu theo tháng',
    updated: 'Cập nhật',
    noAlerts: 'Chưa có cảnh báo mới',
    noDossierEvents: 'Chưa có hồ sơ mới',
    liveConnecting: 'Đang kết nối…',
    liveOpen: 'Trực tiếp',
    liveRetrying: (seconds) => `Mất kết nối, thử lại sau ${seconds} giây`,
    liveNeedsKey: 'Cần khóa API',
    liveInterrupted: 'Tạm ngừng nhận sự kiện trực tiếp; sẽ nhận bù khi khôi phục',
    apiKey: 'Khóa API',
    apiKeyHelp: 'Máy chủ yêu cầu khóa API. Khóa chỉ được giữ trong phiên trình duyệt này.',
    apiKeySave: 'Dùng khóa',
    apiKeyRefused: 'Khóa API không hợp lệ hoặc đã bị thu hồi.',
    error: 'Lỗi',
    lastSync: 'Đồng bộ lần cuối',
    never: 'chưa bao giờ',
    ago: (text) => `${text} trước`,
    seconds: (n) => `${n} giây`,
    minutes: (n) => `${n} phút`,
    hours: (n) => `${n} giờ`,
    days: (n) => `${n} ngày`,
    sourceNames: { ONE_STOP_SHOP: 'Một cửa điện tử', CADRE_DB: 'CSDL cán bộ, công chức', BUDGET: 'Quản lý ngân sách' },
    sourceStatus: {
      FRESH: 'Cập nhật',
      STALE: 'Chậm cập nhật',
      FAILING: 'Lỗi đồng bộ',
      CIRCUIT_OPEN: 'Ngắt kết nối',
      UNKNOWN: 'Chưa rõ',
    },
    severity: { INFO: 'Thông tin', WARNING: 'Cảnh báo', CRITICAL: 'Nghiêm trọng' },
    alertKinds: {
      INDICATOR_TARGET_MISSED: 'Chỉ số không đạt mục tiêu',
      INDICATOR_TARGET_MET: 'Chỉ số đạt mục tiêu',
      DOSSIER_OVERDUE: 'Hồ sơ quá hạn',
      SOURCE_STALE: 'Nguồn chậm cập nhật',
      CIRCUIT_OPEN: 'Ngắt kết nối nguồn',
      DATA_QUALITY_VIOLATED: 'Vi phạm chất lượng dữ liệu',
    },
    dossierKinds: { RECEIVED: 'Tiếp nhận', RESOLVED: 'Đã giải quyết', OVERDUE: 'Quá hạn', RETURNED: 'Đã trả kết quả' },
    alertValues: {
      value: 'Giá trị',
      'previous value': 'Trước đó',
      target: 'Mục tiêu',
      gap: 'Chênh lệch',
      'due at': 'Hạn giải quyết',
      'overdue days': 'Số ngày quá hạn',
      'last success at': 'Đồng bộ thành công lần cuối',
      'minutes since last success': 'Số phút chưa đồng bộ',
      violations: 'Số vi phạm',
    },
  },
  en: {
    title: 'Operations centre — live indicators',
    unit: 'Unit',
    unitPlaceholder: 'Type a unit name, e.g. “yen the”',
    unitNoMatch: 'No unit matches',
    dissolved: (day) => `dissolved on ${day}`,
    unitNone: 'Choose a unit to see its indicators',
    period: 'Period',
    periodHelp: 'A year (2026), half (2026-H1), quarter (2026-Q4) or month (2026-11)',
    language: 'Language',
    switchLanguage: 'Tiếng Việt',
    switchLanguageLabel: 'Chuyển sang tiếng Việt',
    indicators: 'Key indicators',
    alerts: 'Alerts',
    dossierEvents: 'Dossiers',
    sources: 'Data sources',
    target: 'Target',
    noTarget: 'No target',
    meets: 'Met',
    misses: 'Missed',
    noValue: 'No data yet',
    gap: 'Gap',
    trend: (from, to) => `Monthly trend, ${from} to ${to}`,
    trendEmpty: 'No monthly data yet',
    updated: 'Updated',
    noAlerts: 'No new alerts',
    noDossierEvents: 'No new dossiers',
    liveConnecting: 'Connecting…',
    liveOpen: 'Live',
    liveRetrying: (seconds) => `Connection lost, retrying in ${seconds} s`,
    liveNeedsKey: 'API key needed',
    liveInterrupted: 'Live events paused; the missed ones follow when delivery resumes',
    apiKey: 'API key',
    apiKeyHelp: 'The hub asks for an API key. It is kept for this browser session only.',
    apiKeySave: 'Use key',
    apiKeyRefused: 'The API key is not valid or has been revoked.',
    error: 'Error',
    lastSync: 'Last sync',
    never: 'never',
    ago: (text) => `${text} ago`,
    seconds: (n) => `${n} s`,
    minutes: (n) => `${n} min`,
    hours: (n) => `${n} h`,
    days: (n) => `${n} d`,
    sourceNames: { ONE_STOP_SHOP: 'One-stop shop', CADRE_DB: 'Cadre database', BUDGET: 'Budget system' },
    sourceStatus: {
      FRESH: 'Fresh',
      STALE: 'Stale',
      FAILING: 'Failing',
      CIRCUIT_OPEN: 'Circuit open',
      UNKNOWN: 'Unknown',
    },
    severity: { INFO: 'Info', WARNING: 'Warning', CRITICAL: 'Critical' },
    alertKinds: {
      INDICATOR_TARGET_MISSED: 'Indicator missed its target',
      INDICATOR_TARGET_MET: 'Indicator met its target',
      DOSSIER_OVERDUE: 'Dossier overdue',
      SOURCE_STALE: 'Source stale',
      CIRCUIT_OPEN: 'Source circuit open',
      DATA_QUALITY_VIOLATED: 'Data-quality rule violated',
    },
    dossierKinds: { RECEIVED: 'Received', RESOLVED: 'Resolved', OVERDUE: 'Overdue', RETURNED: 'Returned' },
    alertValues: {
      value: 'Value',
      'previous value': 'Before',
      target: 'Target',
      gap: 'Gap',
      'due at': 'Due',
      'overdue days': 'Days overdue',
      'last success at': 'Last successful sync',
      'minutes since last success': 'Minutes without a sync',
      violations: 'Violations',
    },
  },
};

/**
 * The values behind an alert (AlertValue names, in English, from live/)
 * that the wall shows under its message, in this order; the message already
 * says the rest, which stays in the data for other clients.
 */
export const SHOWN_ALERT_VALUES = [
  'value',
  'previous value',
  'target',
  'gap',
  'due at',
  'overdue days',
  'last success at',
  'minutes since last success',
  'violations',
];

/** The numbers and dates of one language. */
export function formatters(lang) {
  const locale = LOCALES[lang];
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const precise = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  // Parts rather than the locale's own order, so both languages read "24/11 09:05:07" (day first, 24-hour).
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    day: '2-digit',
    month: '2-digit',
  });
  const clock = (date) => {
    const part = Object.fromEntries(time.formatToParts(date).map((p) => [p.type, p.value]));
    return `${part.day}/${part.month} ${part.hour}:${part.minute}:${part.second}`;
  };
  return {
    /** A figure with at most one decimal, in the language's separators; "—" for null. */
    number: (value) => (value === null || value === undefined ? '—' : number.format(value)),
    /** Two decimals: for gaps and the figures behind alerts, where a tenth hides the difference. */
    precise: (value) => (value === null || value === undefined ? '—' : precise.format(value)),
    /** A value in its indicator's unit: percentages get a sign. */
    value: (value, unit) => {
      if (value === null || value === undefined) return '—';
      const text = number.format(value);
      return unit === 'PERCENT' ? (lang === 'vi' ? `${text} %` : `${text}%`) : text;
    },
    /** Day, month and time in Vietnam time, whatever the wall's time zone. */
    time: (iso) => (iso ? clock(new Date(iso)) : '—'),
  };
}

/** "5 phút trước" / "5 min ago": how long since an instant, coarse enough for a wall. */
export function since(t, iso, now = Date.now()) {
  if (!iso) return t.never;
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 90) return t.ago(t.seconds(seconds));
  if (seconds < 90 * 60) return t.ago(t.minutes(Math.round(seconds / 60)));
  if (seconds < 36 * 3600) return t.ago(t.hours(Math.round(seconds / 3600)));
  return t.ago(t.days(Math.round(seconds / 86400)));
}
