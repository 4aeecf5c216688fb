// "/events/{market_id}": header, latest values, charts and the timeseries table of one market.
import { api } from '../api.js';
import { h, link } from '../dom.js';
import { amount, dateTime, DASH, price, statusText } from '../format.js';
import { chartedColumns, columnsFor, OUTCOMES, pointValue } from '../columns.js';
import { lastOpenPoint, offeredPrice, traderCharts } from '../tradercharts.js';
import { ladderPanel } from '../ladder.js';
import { navigate } from '../app.js';

const INTERVALS = [1, 5, 15, 30, 60, 240, 1440];

function readInterval(query) {
  const value = Number(query.get('interval'));
  return INTERVALS.includes(value) ? value : 15;
}

export async function renderEvent(root, marketId, query) {
  const interval = readInterval(query);
  const path = `/events/${encodeURIComponent(marketId)}`;
  const [meta, points] = await Promise.all([
    api.meta(marketId),
    api.timeseries(marketId, { interval_minutes: interval, include_impedance: 'true', include_impedance_inputs: 'false' }),
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
    intervalPicker(path, marketId, interval, points.length),
    traderCharts(points, chartedColumns(), pointValue));

  const raw = h('pre', { class: 'raw', 'data-testid': 'raw-snapshot' }, 'Click a row to see the raw snapshot it came from.');
  const rawTitle = h('h2', {}, 'Raw snapshot');
  const table = timeseriesTable(points, (point, row) => {
    showRaw(point, row, raw, rawTitle);
    ladder.show(point.snapshot_id);
  });
  // The ladder travels through every stored snapshot; a row of the table is marked when it is the one shown.
  const ladder = ladderPanel(points, (shown) => markRow(table, shown.snapshot_id));
  root.append(
    ladder.element,
    h('section', { class: 'panel' }, h('h2', {}, `Timeseries (${interval}-minute buckets, last snapshot in each, newest first)`),
      h('div', { class: 'scroll tall' }, table)),
    h('section', { class: 'panel', 'data-testid': 'raw-panel' }, rawTitle, raw));
  if (points.length) ladder.show(points[points.length - 1].snapshot_id);
}

function markRow(table, snapshotId) {
  table.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
  table.querySelector(`tr[data-snapshot-id="${snapshotId}"]`)?.classList.add('selected');
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

// The newest values, prices as a trader reads them (an empty side is "no price", not 0.00). When the market is
// suspended or closed its books are empty, so the last open book's values are shown beside, with their time.
function latestPanel(points) {
  const latest = [...points].reverse().find((p) => p.has_metrics);
  if (!latest) {
    return h('section', { class: 'panel', 'data-testid': 'latest' }, h('h2', {}, 'Latest values'), h('p', { class: 'muted' }, 'No derived metrics yet.'));
  }
  const newest = points[points.length - 1];
  const open = newest.status === 'OPEN' ? null : lastOpenPoint(points);
  const shown = (p, o, c) => (c.format === price ? offeredPrice(pointValue(p, o, c)) : pointValue(p, o, c));
  const show = (p, o, c) => (c.format === price && shown(p, o, c) === null && pointValue(p, o, c) !== null ? 'no price' : c.format(shown(p, o, c)));
  return h('section', { class: 'panel', 'data-testid': 'latest' },
    h('h2', {}, `Latest values at ${dateTime(latest.snapshot_at, true)}`),
    h('p', { 'data-testid': 'latest-state' }, 'State: ', h('strong', {}, statusText(newest.inplay, newest.status))),
    h('div', { class: 'cards' }, OUTCOMES.map(([o, name]) => h('div', { class: `card ${o}` },
      h('h3', {}, name),
      h('dl', {}, columnsFor('cards').map((c) => [h('dt', {}, c.label), h('dd', { 'data-col': `${o}_${c.key}` }, show(latest, o, c))]))))),
    h('p', {}, 'Total matched: ', h('strong', { 'data-col': 'total_volume' }, amount(latest.total_volume))),
    open && h('div', { class: 'latest-open', 'data-testid': 'last-open' },
      h('h3', {}, `Last open book at ${dateTime(open.snapshot_at, true)}`),
      h('div', { class: 'cards' }, OUTCOMES.map(([o, name]) => h('div', { class: `card ${o}` },
        h('h3', {}, name),
        h('dl', {}, columnsFor('cards').filter((c) => c.format === price).map((c) => [h('dt', {}, c.label), h('dd', { 'data-col': `${o}_${c.key}` }, show(open, o, c))])))))));
}

function intervalPicker(path, marketId, interval, count) {
  const csv = `/api/events/${encodeURIComponent(marketId)}/timeseries.csv?interval_minutes=${interval}&include_impedance=true&include_impedance_inputs=true`;
  return h('section', { class: 'toolbar' },
    h('label', {}, 'Interval ',
      h('select', {
        'data-testid': 'interval',
        onchange: (e) => navigate(`${path}?interval=${e.target.value}`, { replace: true }),
      }, INTERVALS.map((m) => h('option', { value: m, selected: m === interval }, m < 60 ? `${m} min` : `${m / 60} h`)))),
    h('span', { class: 'muted' }, `${count} point${count === 1 ? '' : 's'}`),
    h('a', { href: csv, download: true, 'data-testid': 'download-csv' }, 'Download CSV'));
}

function timeseriesTable(points, onSelect) {
  const COLUMNS = columnsFor('table');
  const head1 = h('tr', {}, h('th', { rowspan: 2 }, 'Snapshot (UTC)'),
    OUTCOMES.map(([o, name]) => h('th', { colspan: COLUMNS.length, class: `group ${o}` }, name)),
    h('th', { rowspan: 2, class: 'num' }, 'Volume'));
  const head2 = h('tr', {}, OUTCOMES.map(([o]) => COLUMNS.map((c) => h('th', { class: `num ${o}` }, c.label))));
  const rows = [...points].reverse().map((p) => {
    const row = h('tr', { 'data-snapshot-id': p.snapshot_id, tabindex: 0 },
      h('td', { 'data-col': 'snapshot_at' }, dateTime(p.snapshot_at, true)),
      OUTCOMES.map(([o]) => COLUMNS.map((c) => h('td', { class: 'num', 'data-col': `${o}_${c.key}` }, c.format(pointValue(p, o, c))))),
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
