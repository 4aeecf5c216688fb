// "/events/{market_id}": header, latest values, charts and the timeseries table of one market.
import { api } from '../api.js';
import { h, link } from '../dom.js';
import { amount, dateTime, DASH, fraction, price, statusText } from '../format.js';
import { lineChart } from '../charts.js';
import { navigate } from '../app.js';

const OUTCOMES = [['home', 'Home'], ['away', 'Away'], ['draw', 'Draw']];
const INTERVALS = [1, 5, 15, 30, 60, 240, 1440];
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// Per-outcome columns of the timeseries table. `col` completes the data-col name `${outcome}_${col}`, which is
// the market_derived_metrics column name (size_impedance_l1 is computed here, not stored).
const COLUMNS = [
  { col: 'best_back', label: 'Back', format: price, get: (p, o) => p[`${o}_best_back`] },
  { col: 'best_lay', label: 'Lay', format: price, get: (p, o) => p[`${o}_best_lay`] },
  { col: 'best_back_size_l1', label: 'Back size L1', format: amount, get: (p, o) => p[`${o}_best_back_size_l1`] },
  { col: 'best_lay_size_l1', label: 'Lay size L1', format: amount, get: (p, o) => p[`${o}_best_lay_size_l1`] },
  { col: 'back_stake', label: 'Back stake', format: amount, get: (p, o) => p.impedanceInputs?.[o]?.backStake },
  { col: 'back_odds', label: 'Back VWAP', format: price, get: (p, o) => p.impedanceInputs?.[o]?.backOdds },
  { col: 'lay_stake', label: 'Lay stake', format: amount, get: (p, o) => p.impedanceInputs?.[o]?.layStake },
  { col: 'lay_odds', label: 'Lay VWAP', format: price, get: (p, o) => p.impedanceInputs?.[o]?.layOdds },
  { col: 'impedance', label: 'Stake impedance', format: amount, get: (p, o) => p.impedance?.[o] },
  { col: 'size_impedance_l1', label: 'Size impedance L1', format: amount, get: (p, o) => sizeImpedanceL1(p, o) },
  { col: 'risk', label: 'Imbalance', format: amount, get: (p, o) => p[`${o}_risk`] },
  { col: 'book_risk_l3', label: 'Book risk L3', format: amount, get: (p, o) => p[`${o}_book_risk_l3`] },
];

/**
 * Size Impedance Index (L1) of outcome o: size × (odds − 1) of o's first back level minus the same for the other
 * two outcomes. Null when any of the six inputs is null.
 */
export function sizeImpedanceL1(p, o) {
  const term = (k) => {
    const size = p[`${k}_best_back_size_l1`];
    const odds = p[`${k}_best_back`];
    return isNum(size) && isNum(odds) ? size * (odds - 1) : null;
  };
  const terms = Object.fromEntries(OUTCOMES.map(([k]) => [k, term(k)]));
  if (Object.values(terms).some((t) => t === null)) return null;
  return OUTCOMES.reduce((acc, [k]) => (k === o ? acc + terms[k] : acc - terms[k]), 0);
}

function readInterval(query) {
  const value = Number(query.get('interval'));
  return INTERVALS.includes(value) ? value : 15;
}

export async function renderEvent(root, marketId, query) {
  const interval = readInterval(query);
  const path = `/events/${encodeURIComponent(marketId)}`;
  const [meta, points] = await Promise.all([
    api.meta(marketId),
    api.timeseries(marketId, { interval_minutes: interval, include_impedance: 'true', include_impedance_inputs: 'true' }),
  ]);

  const title = meta.home_runner_name && meta.away_runner_name
    ? `${meta.home_runner_name} v ${meta.away_runner_name}`
    : meta.event_name ?? meta.market_id;
  document.title = `${title} · NetBet`;

  root.append(
    h('p', { class: 'crumbs' }, link('/', '← Leagues'), ' / ',
      link(`/leagues/${encodeURIComponent(meta.league)}`, meta.competition_name ?? 'Unknown competition')),
    header(meta, title),
    latestPanel(points),
    intervalPicker(path, interval, points.length),
    charts(points));

  const raw = h('pre', { class: 'raw', 'data-testid': 'raw-snapshot' }, 'Click a row to see the raw snapshot it came from.');
  const rawTitle = h('h2', {}, 'Raw snapshot');
  root.append(
    h('section', { class: 'panel' }, h('h2', {}, `Timeseries (${interval}-minute buckets, last snapshot in each, newest first)`),
      h('div', { class: 'scroll tall' }, timeseriesTable(points, (point, row) => showRaw(point, row, raw, rawTitle)))),
    h('section', { class: 'panel', 'data-testid': 'raw-panel' }, rawTitle, raw));
}

function header(meta, title) {
  return h('section', { class: 'event-head', 'data-testid': 'event-header' },
    h('h1', {}, title),
    h('dl', {},
      h('dt', {}, 'Competition'), h('dd', {}, meta.competition_name ?? 'Unknown competition'),
      h('dt', {}, 'Kick-off'), h('dd', { 'data-testid': 'start-time' }, dateTime(meta.market_start_time)),
      h('dt', {}, 'State'), h('dd', { 'data-testid': 'state' },
        h('span', { class: meta.inplay ? 'badge live' : 'badge' }, statusText(meta.inplay, meta.status))),
      h('dt', {}, 'Market'), h('dd', {}, `${meta.market_id}${meta.market_name ? ` · ${meta.market_name}` : ''}`),
      h('dt', {}, 'Snapshots'), h('dd', {}, `${meta.snapshot_count} (${dateTime(meta.first_snapshot_at)} – ${dateTime(meta.last_snapshot_at)})`)));
}

function latestPanel(points) {
  const latest = [...points].reverse().find((p) => p.has_metrics);
  if (!latest) {
    return h('section', { class: 'panel', 'data-testid': 'latest' }, h('h2', {}, 'Latest values'), h('p', { class: 'muted' }, 'No derived metrics yet.'));
  }
  const names = { home: 'Home', away: 'Away', draw: 'Draw' };
  return h('section', { class: 'panel', 'data-testid': 'latest' },
    h('h2', {}, `Latest values at ${dateTime(latest.snapshot_at, true)}`),
    h('div', { class: 'cards' }, OUTCOMES.map(([o]) => h('div', { class: `card ${o}` },
      h('h3', {}, names[o]),
      h('dl', {}, COLUMNS.map((c) => [h('dt', {}, c.label), h('dd', { 'data-col': `${o}_${c.col}` }, c.format(c.get(latest, o)))]),
        h('dt', {}, 'Spread'), h('dd', {}, price(latest[`${o}_spread`])),
        h('dt', {}, 'Impedance (norm.)'), h('dd', {}, fraction(latest.impedanceNorm?.[o])))))),
    h('p', {}, 'Total matched: ', h('strong', { 'data-col': 'total_volume' }, amount(latest.total_volume))));
}

function intervalPicker(path, interval, count) {
  return h('section', { class: 'toolbar' },
    h('label', {}, 'Interval ',
      h('select', {
        'data-testid': 'interval',
        onchange: (e) => navigate(`${path}?interval=${e.target.value}`, { replace: true }),
      }, INTERVALS.map((m) => h('option', { value: m, selected: m === interval }, m < 60 ? `${m} min` : `${m / 60} h`)))),
    h('span', { class: 'muted' }, `${count} point${count === 1 ? '' : 's'}`));
}

function charts(points) {
  const times = points.map((p) => p.snapshot_at);
  const series = (get) => OUTCOMES.map(([o, name]) => ({ name, className: o, values: points.map((p) => get(p, o) ?? null) }));
  return h('section', { class: 'charts' },
    lineChart({ title: 'Best back price', testId: 'chart-prices', times, series: series((p, o) => p[`${o}_best_back`]), format: price }),
    lineChart({ title: 'Stake Impedance Index', testId: 'chart-impedance', times, series: series((p, o) => p.impedance?.[o]), format: amount }),
    lineChart({ title: 'Size Impedance Index (L1)', testId: 'chart-size-impedance', times, series: series(sizeImpedanceL1), format: amount }),
    lineChart({ title: 'Imbalance', testId: 'chart-risk', times, series: series((p, o) => p[`${o}_risk`]), format: amount }));
}

function timeseriesTable(points, onSelect) {
  const head1 = h('tr', {}, h('th', { rowspan: 2 }, 'Snapshot (UTC)'),
    OUTCOMES.map(([o, name]) => h('th', { colspan: COLUMNS.length, class: `group ${o}` }, name)),
    h('th', { rowspan: 2, class: 'num' }, 'Volume'));
  const head2 = h('tr', {}, OUTCOMES.map(([o]) => COLUMNS.map((c) => h('th', { class: `num ${o}` }, c.label))));
  const rows = [...points].reverse().map((p) => {
    const row = h('tr', { 'data-snapshot-id': p.snapshot_id, tabindex: 0 },
      h('td', { 'data-col': 'snapshot_at' }, dateTime(p.snapshot_at, true)),
      OUTCOMES.map(([o]) => COLUMNS.map((c) => h('td', { class: 'num', 'data-col': `${o}_${c.col}` }, c.format(c.get(p, o))))),
      h('td', { class: 'num', 'data-col': 'total_volume' }, amount(p.total_volume)));
    row.addEventListener('click', () => onSelect(p, row));
    row.addEventListener('keydown', (e) => e.key === 'Enter' && onSelect(p, row));
    return row;
  });
  return h('table', { class: 'grid-table series', 'data-testid': 'timeseries' }, h('thead', {}, head1, head2), h('tbody', {}, rows));
}

async function showRaw(point, row, pre, title) {
  row.parentElement.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
  row.classList.add('selected');
  title.textContent = `Raw snapshot ${point.snapshot_id} at ${dateTime(point.snapshot_at, true)}`;
  pre.textContent = 'Loading…';
  try {
    const raw = await api.snapshotRaw(point.snapshot_id);
    pre.textContent = raw.raw_payload === null ? DASH : JSON.stringify(raw.raw_payload, null, 2);
    pre.dataset.snapshotId = String(point.snapshot_id);
  } catch (error) {
    pre.textContent = `Could not load snapshot ${point.snapshot_id}: ${error.message}`;
  }
}
