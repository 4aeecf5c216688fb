// Charts a trader can read, drawn with uPlot (restored from npm at build time, served from /lib): prices on a log
// axis, implied probabilities with the book percentage, a hover crosshair whose readout shows all three outcomes at
// that snapshot, drag to zoom and double-click to reset (uPlot's own), the in-play start marked and suspended spans
// shaded. An empty side (stored as price 0) is "no price": a gap in the line, never a drop to 0.
import uPlot from '/lib/uplot/uPlot.esm.js';
import { h } from './dom.js';
import { amount, dateTime, price } from './format.js';
import { OUTCOMES } from './columns.js';

// The outcome colours of app.css (--home, --away, --draw): a canvas cannot read CSS variables per line cheaply.
const COLORS = { home: '#0b6bcb', away: '#c2410c', draw: '#15803d' };
const SYNC_KEY = 'netbet-event';

/** A best price as a trader reads it: null for an empty side (stored 0) or a missing value. */
export const offeredPrice = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null);

/** 100 / best back (%), null without a price. */
export const impliedProbability = (backPrice) => (offeredPrice(backPrice) === null ? null : 100 / backPrice);

/** The book percentage: the sum of the three implied probabilities; null unless all three are priced. */
export function bookPercentage(p) {
  const parts = OUTCOMES.map(([o]) => impliedProbability(p[`${o}_best_back`]));
  return parts.some((v) => v === null) ? null : parts.reduce((a, b) => a + b, 0);
}

/** The newest point whose book was open and priced: what a suspended or closed market last offered. */
export function lastOpenPoint(points) {
  return [...points].reverse().find((p) => p.has_metrics && p.status === 'OPEN'
    && OUTCOMES.some(([o]) => offeredPrice(p[`${o}_best_back`]) !== null || offeredPrice(p[`${o}_best_lay`]) !== null)) ?? null;
}

/**
 * One chart. `lines`: [{ label, key, color, get(point) }]; `log`: log y axis; `format` formats values in the readout.
 * The readout (data-testid `${testId}-readout`) shows the hovered snapshot's time and each line's value, with
 * `data-col` = the line's key.
 */
export function traderChart({ title, testId, points, lines, log = false, format = amount }) {
  const xs = points.map((p) => new Date(p.snapshot_at).getTime() / 1000);
  const data = [xs, ...lines.map((line) => points.map((p) => line.get(p) ?? null))];
  const readout = h('div', { class: 'readout', 'data-testid': `${testId}-readout` }, 'Hover the chart to read values; drag to zoom, double-click to reset.');
  const plotBox = h('div', { class: 'plot' });
  const figure = h('figure', { class: 'chart-box', 'data-testid': testId }, h('figcaption', {}, title), plotBox, readout);
  const hasValues = data.slice(1).some((values) => values.some((v) => v !== null));
  if (xs.length === 0 || !hasValues) {
    plotBox.append(h('p', { class: 'muted' }, 'No values'));
    return figure;
  }

  const spans = suspendedSpans(points, xs);
  const inplayAt = xs[points.findIndex((p) => p.inplay === true)];
  const showReadout = (u) => {
    const idx = u.cursor.idx;
    if (idx === null || idx === undefined) return;
    const point = points[idx];
    readout.dataset.snapshotId = String(point.snapshot_id);
    readout.replaceChildren(
      h('span', { 'data-col': 'snapshot_at' }, dateTime(point.snapshot_at, true)),
      ...lines.map((line, i) => h('span', { class: 'value', 'data-col': line.key, style: `color:${line.color}` }, `${line.label} `,
        h('strong', {}, data[i + 1][idx] === null ? 'no price' : format(data[i + 1][idx])))),
      point.status && point.status !== 'OPEN' ? h('span', { class: 'muted' }, point.status) : null);
  };

  const options = {
    width: 600,
    height: 240,
    cursor: { sync: { key: SYNC_KEY }, drag: { x: true, y: false } },
    legend: { show: false },
    scales: { x: { time: true }, y: log ? { distr: 3, log: 10 } : {} },
    axes: [
      { values: (u, ticks) => ticks.map((t) => timeLabel(t)) },
      // uPlot hands null for the log axis's unlabelled minor ticks.
      { size: 64, values: (u, ticks) => ticks.map((t) => (t === null || t === undefined ? '' : log ? price(t) : compact(t))) },
    ],
    series: [{}, ...lines.map((line) => ({ label: line.label, stroke: line.color, width: line.width ?? 1.6, dash: line.dash, spanGaps: false }))],
    hooks: {
      setCursor: [showReadout],
      drawClear: [(u) => shade(u, spans)],
      draw: [(u) => markInplay(u, inplayAt)],
    },
  };
  const plot = new uPlot(options, data, plotBox);
  figure.dataset.inplayAt = inplayAt === undefined ? '' : new Date(inplayAt * 1000).toISOString();
  figure.dataset.suspendedSpans = String(spans.length);
  figure.dataset.lines = String(lines.length);
  // uPlot draws at a fixed size: follow the box's width.
  new ResizeObserver(() => {
    const width = Math.max(280, plotBox.clientWidth);
    if (Math.abs(width - plot.width) > 2) plot.setSize({ width, height: 240 });
  }).observe(plotBox);
  return figure;
}

/**
 * The event page's charts, one per charted column of columns.js (a price column on a log axis, an empty side as a
 * gap), with the implied-probability chart and its book percentage after the price chart.
 */
export function traderCharts(points, columns, pointValue) {
  const perOutcome = (get) => OUTCOMES.map(([o, label]) => ({ label, key: o, color: COLORS[o], get: (p) => get(p, o) }));
  const charts = [];
  for (const c of columns) {
    const isPrice = c.format === price;
    charts.push(traderChart({
      title: isPrice ? `${c.chart.title} (log scale)` : c.chart.title, testId: c.chart.testId, points, log: isPrice, format: c.format,
      lines: perOutcome((p, o) => (isPrice ? offeredPrice(pointValue(p, o, c)) : pointValue(p, o, c))),
    }));
    if (c.key === 'best_back') {
      charts.push(traderChart({
        title: 'Implied probability (100 / best back) and book %', testId: 'chart-probability', points, format: (v) => `${v.toFixed(1)}%`,
        lines: [...perOutcome((p, o) => impliedProbability(p[`${o}_best_back`])),
          { label: 'Book', key: 'book', color: '#6b7280', dash: [4, 4], get: bookPercentage }],
      }));
    }
  }
  return h('section', { class: 'charts' }, charts);
}

// Runs of consecutive points whose market was not OPEN, as [from, to] in seconds; a span reaches the next point.
function suspendedSpans(points, xs) {
  const spans = [];
  let start = null;
  points.forEach((p, i) => {
    const closed = p.status && p.status !== 'OPEN';
    if (closed && start === null) start = i;
    if (!closed && start !== null) { spans.push([xs[start], xs[i]]); start = null; }
  });
  if (start !== null) spans.push([xs[start], xs[xs.length - 1]]);
  return spans;
}

function shade(u, spans) {
  const { ctx } = u;
  ctx.save();
  ctx.fillStyle = 'rgba(107, 114, 128, 0.15)';
  for (const [from, to] of spans) {
    const x0 = u.valToPos(from, 'x', true);
    const x1 = Math.max(u.valToPos(to, 'x', true), x0 + 2);
    ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
  }
  ctx.restore();
}

function markInplay(u, at) {
  if (at === undefined) return;
  const { ctx } = u;
  const x = u.valToPos(at, 'x', true);
  ctx.save();
  ctx.strokeStyle = '#b91c1c';
  ctx.setLineDash([5, 3]);
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.fillStyle = '#b91c1c';
  ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.fillText('In play', x + 4, u.bbox.top + (12 * devicePixelRatio));
  ctx.restore();
}

const pad = (n) => String(n).padStart(2, '0');
function timeLabel(seconds) {
  const d = new Date(seconds * 1000);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function compact(v) {
  const abs = Math.abs(v);
  return abs >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : abs >= 1e3 ? `${(v / 1e3).toFixed(1)}k` : v.toFixed(abs < 10 ? 2 : 0);
}
