// Hand-drawn SVG line charts: no library, no network. A null value breaks the line instead of drawing it as 0.
import { h } from './dom.js';
import { time } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 72, right: 12, top: 12, bottom: 28 };

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * series: [{ name, className, values: [number|null] }] aligned with times (ISO strings).
 * format: formats axis labels.
 */
export function lineChart({ title, testId, times, series, format }) {
  const xs = times.map((t) => new Date(t).getTime());
  const all = series.flatMap((line) => line.values.filter((v) => typeof v === 'number' && Number.isFinite(v)));
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title, class: 'chart' });

  if (xs.length === 0 || all.length === 0) {
    svg.append(s('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'axis' }, 'No values'));
    return h('figure', { class: 'chart-box', 'data-testid': testId }, h('figcaption', {}, title), svg);
  }

  let min = Math.min(...all);
  let max = Math.max(...all);
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const x0 = xs[0];
  const x1 = xs.length > 1 ? xs[xs.length - 1] : x0 + 1;
  const px = (x) => PAD.left + ((x - x0) / (x1 - x0)) * (WIDTH - PAD.left - PAD.right);
  const py = (y) => PAD.top + (1 - (y - min) / (max - min)) * (HEIGHT - PAD.top - PAD.bottom);

  // Axes, grid and labels: min, middle, max on y; first, middle, last time on x.
  for (const y of [min, (min + max) / 2, max]) {
    svg.append(s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: py(y), y2: py(y), class: 'grid' }));
    svg.append(s('text', { x: PAD.left - 6, y: py(y) + 4, 'text-anchor': 'end', class: 'axis' }, format(y)));
  }
  if (min < 0 && max > 0) {
    svg.append(s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: py(0), y2: py(0), class: 'zero' }));
  }
  const labelIdx = [...new Set([0, Math.floor((xs.length - 1) / 2), xs.length - 1])];
  for (const i of labelIdx) {
    svg.append(s('text', { x: px(xs[i]), y: HEIGHT - 8, 'text-anchor': 'middle', class: 'axis' }, time(times[i])));
  }

  for (const line of series) {
    let d = '';
    let pen = false;
    line.values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${px(xs[i]).toFixed(1)},${py(v).toFixed(1)}`;
      pen = true;
    });
    if (d) svg.append(s('path', { d, class: `line ${line.className}` }, undefined));
    // Single isolated points would be invisible as a path; mark every point lightly.
    line.values.forEach((v, i) => {
      if (typeof v === 'number' && Number.isFinite(v) && xs.length < 200) {
        svg.append(s('circle', { cx: px(xs[i]).toFixed(1), cy: py(v).toFixed(1), r: 1.8, class: `dot ${line.className}` }));
      }
    });
  }

  const legend = h('div', { class: 'legend' }, series.map((line) => h('span', { class: `key ${line.className}` }, line.name)));
  return h('figure', { class: 'chart-box', 'data-testid': testId }, h('figcaption', {}, title), svg, legend);
}
