// "/events/{market_id}": header, latest values, charts and the timeseries table of one market.
import { api } from '../api.js';
import { h, link } from '../dom.js';
import { amount, dateTime, DASH, statusText } from '../format.js';
import { chartedColumns, columnsFor, OUTCOMES, pointValue } from '../columns.js';
import { lineChart } from '../charts.js';
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
  return h('section', { class: 'panel', 'data-testid': 'latest' },
    h('h2', {}, `Latest values at ${dateTime(latest.snapshot_at, true)}`),
    h('div', { class: 'cards' }, OUTCOMES.map(([o, name]) => h('div', { class: `card ${o}` },
      h('h3', {}, name),
      h('dl', {}, columnsFor('cards').map((c) => [h('dt', {}, c.label), h('dd', { 'data-col': `${o}_${c.key}` }, c.format(pointValue(latest, o, c)))]))))),
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
  return h('section', { class: 'charts' }, chartedColumns().map((c) => lineChart({
    title: c.chart.title,
    testId: c.chart.testId,
    times,
    series: OUTCOMES.map(([o, name]) => ({ name, className: o, values: points.map((p) => pointValue(p, o, c)) })),
    format: c.format,
  })));
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
