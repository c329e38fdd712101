/**
 * A trend sparkline as inline SVG: one polyline per run of known values (a
 * null value, nothing to rate that month, breaks the line rather than
 * pretending it was zero), a dashed line at the target when it falls in the
 * drawn range, and a dot on the latest value. Drawn once per update: no
 * animation, nothing for the wall's CPU to do between events.
 */

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 100;
const HEIGHT = 32;
const PAD = 3;

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

/**
 * An <svg> for `values` (numbers or null, oldest first) with an optional
 * `target`; `label` is what a screen reader says instead of the picture.
 */
export function sparkline(values, target, label) {
  const svg = element('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': label,
    class: 'sparkline',
  });
  const known = values.filter((v) => v !== null && v !== undefined);
  if (known.length === 0) return svg;

  let low = Math.min(...known);
  let high = Math.max(...known);
  // The target joins the vertical range when it is near the values; one far away would flatten the line
  // against an edge, and the card's badge already says which side of it the value is.
  const reach = Math.max(high - low, Math.abs(high) * 0.05, 1);
  const showTarget = target !== null && target !== undefined && target >= low - reach && target <= high + reach;
  if (showTarget) [low, high] = [Math.min(low, target), Math.max(high, target)];
  if (high === low) [low, high] = [low - 1, high + 1];
  const x = (i) => (values.length === 1 ? WIDTH / 2 : PAD + (i * (WIDTH - 2 * PAD)) / (values.length - 1));
  const y = (v) => HEIGHT - PAD - ((v - low) * (HEIGHT - 2 * PAD)) / (high - low);

  if (showTarget) {
    svg.append(element('line', { x1: 0, x2: WIDTH, y1: y(target), y2: y(target), class: 'sparkline-target' }));
  }
  let run = [];
  const flush = () => {
    if (run.length > 1) svg.append(element('polyline', { points: run.join(' '), class: 'sparkline-line' }));
    run = [];
  };
  values.forEach((v, i) => {
    if (v === null || v === undefined) flush();
    else run.push(`${x(i).toFixed(2)},${y(v).toFixed(2)}`);
  });
  flush();
  const last = values.findLastIndex((v) => v !== null && v !== undefined);
  svg.append(element('circle', { cx: x(last), cy: y(values[last]), r: 1.8, class: 'sparkline-dot' }));
  return svg;
}
