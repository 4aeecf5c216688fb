// The ladder panel of the event page: one snapshot's full depth for the three outcomes side by side, as trading
// tools draw it (back sizes left of the price column, lay sizes right, traded volume beside), with previous/next
// buttons, arrow keys and a time slider to travel through the market's history. Everything shown comes from
// /api/snapshots/{id}/ladder, computed on the server from the stored raw payload.
import { getJson } from './api.js';
import { clear, h } from './dom.js';
import { amount, dateTime, DASH, price, statusText } from './format.js';

const ROLE_NAMES = { home: 'Home', away: 'Away', draw: 'Draw' };

export const ladderApi = (snapshotId) => getJson(`/api/snapshots/${encodeURIComponent(snapshotId)}/ladder`);

/**
 * Builds the panel. `points` are the timeseries points (oldest first) the slider steps through; the buttons and
 * arrow keys step through every stored snapshot (the ladder's previous/next ids). `onShow(ladder)` runs after each
 * snapshot is drawn, so the page can mark the matching table row.
 */
export function ladderPanel(points, onShow = () => {}) {
  const title = h('h2', {}, 'Ladder');
  const state = h('span', { class: 'muted', 'data-testid': 'ladder-state' });
  const prev = h('button', { type: 'button', 'data-testid': 'ladder-prev', title: 'Previous snapshot (←)' }, '◀ Previous');
  const next = h('button', { type: 'button', 'data-testid': 'ladder-next', title: 'Next snapshot (→)' }, 'Next ▶');
  const slider = h('input', {
    type: 'range', min: 0, max: Math.max(points.length - 1, 0), step: 1, value: Math.max(points.length - 1, 0),
    'data-testid': 'ladder-slider', 'aria-label': 'Snapshot time', disabled: points.length === 0,
  });
  const sliderTime = h('span', { class: 'muted', 'data-testid': 'ladder-slider-time' }, points.length ? dateTime(points[points.length - 1].snapshot_at, true) : DASH);
  const rawLink = h('a', { 'data-testid': 'ladder-raw-link', target: '_blank', rel: 'noopener' }, 'raw JSON');
  const body = h('div', { class: 'ladders', 'data-testid': 'ladders' }, h('p', { class: 'muted' }, 'Choose a snapshot: click a timeseries row, move the slider or use the buttons.'));
  const panel = h('section', { class: 'panel ladder-panel', 'data-testid': 'ladder', tabindex: 0 },
    h('div', { class: 'ladder-head' }, title, state),
    h('div', { class: 'toolbar' }, prev, next, h('label', { class: 'slider' }, slider, sliderTime), rawLink),
    body);

  let current = null;
  let loading = 0;

  async function show(snapshotId) {
    if (snapshotId === null || snapshotId === undefined) return;
    const ticket = ++loading;
    panel.setAttribute('aria-busy', 'true');
    try {
      const ladder = await ladderApi(snapshotId);
      if (ticket !== loading) return; // a newer request won
      current = ladder;
      draw(ladder);
      onShow(ladder);
    } catch (error) {
      if (ticket !== loading) return;
      clear(body).append(h('p', { class: 'error' }, `Could not load the ladder of snapshot ${snapshotId}: ${error.message}`));
    } finally {
      if (ticket === loading) panel.removeAttribute('aria-busy');
    }
  }

  function draw(ladder) {
    panel.dataset.snapshotId = String(ladder.snapshot_id);
    title.textContent = `Ladder at ${dateTime(ladder.snapshot_at, true)}`;
    state.textContent = `snapshot ${ladder.snapshot_id} · ${statusText(ladder.inplay, ladder.status)} · matched ${amount(ladder.total_matched)}`;
    rawLink.href = `/api/snapshots/${ladder.snapshot_id}/raw`;
    prev.disabled = ladder.previous_snapshot_id === null;
    next.disabled = ladder.next_snapshot_id === null;
    const index = sliderIndex(points, ladder.snapshot_at);
    if (index >= 0) {
      slider.value = String(index);
      sliderTime.textContent = dateTime(points[index].snapshot_at, true);
    }
    clear(body).append(...ladder.runners.map(runnerLadder));
  }

  prev.addEventListener('click', () => current && show(current.previous_snapshot_id));
  next.addEventListener('click', () => current && show(current.next_snapshot_id));
  slider.addEventListener('input', () => {
    const point = points[Number(slider.value)];
    if (point) sliderTime.textContent = dateTime(point.snapshot_at, true);
  });
  slider.addEventListener('change', () => {
    const point = points[Number(slider.value)];
    if (point) show(point.snapshot_id);
  });
  panel.addEventListener('keydown', (e) => {
    if (!current || e.target === slider) return; // the slider handles its own arrows
    if (e.key === 'ArrowLeft' && current.previous_snapshot_id !== null) { e.preventDefault(); show(current.previous_snapshot_id); }
    if (e.key === 'ArrowRight' && current.next_snapshot_id !== null) { e.preventDefault(); show(current.next_snapshot_id); }
  });

  return { element: panel, show };
}

// The last point at or before `at`: the slider position of a snapshot between two buckets' picks.
function sliderIndex(points, at) {
  const t = new Date(at).getTime();
  let index = -1;
  points.forEach((p, i) => { if (new Date(p.snapshot_at).getTime() <= t) index = i; });
  return index;
}

function runnerLadder(runner) {
  const role = runner.role ?? 'other';
  const deepest = Math.max(1, ...runner.prices.map((p) => Math.max(p.back_size ?? 0, p.lay_size ?? 0)));
  const depth = (size) => (size ? `--depth:${Math.round((100 * size) / deepest)}%` : null);
  const rows = runner.prices.map((p) => h('tr', { 'data-price': p.price },
    h('td', {
      class: `num back${p.is_best_back ? ' best' : ''}${p.back_size ? ' depth' : ''}`, style: depth(p.back_size), 'data-col': 'back_size',
    }, p.back_size === null ? '' : amount(p.back_size)),
    h('td', { class: 'num price', 'data-col': 'price' }, price(p.price)),
    h('td', {
      class: `num lay${p.is_best_lay ? ' best' : ''}${p.lay_size ? ' depth' : ''}`, style: depth(p.lay_size), 'data-col': 'lay_size',
    }, p.lay_size === null ? '' : amount(p.lay_size)),
    h('td', { class: 'num traded', 'data-col': 'traded_volume' }, p.traded_volume === null ? '' : amount(p.traded_volume))));
  return h('div', { class: `ladder ${role}`, 'data-testid': `ladder-${role}`, 'data-selection-id': runner.selection_id },
    h('h3', {}, `${ROLE_NAMES[role] ?? 'Runner'}${runner.name ? ` · ${runner.name}` : ''}`),
    h('p', { class: 'best-prices' },
      'Back ', h('strong', { 'data-col': 'best_back' }, runner.best_back === null ? 'no price' : price(runner.best_back)),
      ' · Lay ', h('strong', { 'data-col': 'best_lay' }, runner.best_lay === null ? 'no price' : price(runner.best_lay)),
      runner.status && runner.status !== 'ACTIVE' ? ` · ${runner.status}` : ''),
    runner.prices.length === 0
      ? h('p', { class: 'muted' }, 'Empty book: no prices offered.')
      : h('div', { class: 'scroll ladder-scroll' }, h('table', { class: 'grid-table ladder-table' },
        h('thead', {}, h('tr', {}, h('th', { class: 'num back' }, 'Back'), h('th', { class: 'num' }, 'Price'), h('th', { class: 'num lay' }, 'Lay'), h('th', { class: 'num' }, 'Traded'))),
        h('tbody', {}, rows))));
}
