// "/leagues/{league}": the competition's events on the chosen UTC day with their latest H/A/D metrics.
import { api } from '../api.js';
import { h, link } from '../dom.js';
import { amount, dateTime, statusText } from '../format.js';
import { columnsFor, eventValue, OUTCOMES } from '../columns.js';
import { dayNavigation, filterSelect, readState, windowParams } from './common.js';

export async function renderLeague(root, league, query) {
  const state = readState(query);
  const path = `/leagues/${encodeURIComponent(league)}`;
  const title = h('h1', {}, league);
  const body = h('div', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(
    h('p', { class: 'crumbs' }, link('/', '← Leagues')),
    h('section', { class: 'toolbar' }, title, dayNavigation(path, state), filterSelect(path, state)),
    body);

  const data = await api.leagueEvents(league, { ...windowParams(state), limit: 500 });
  title.textContent = data.competition_name;
  document.title = `${data.competition_name} · NetBet`;
  let events = data.events;
  if (state.filter === 'inplay') events = events.filter((e) => e.inplay === true);

  body.replaceChildren();
  if (events.length === 0) {
    body.append(h('p', { class: 'muted', 'data-testid': 'empty' }, `No events on ${state.date}.`));
    return;
  }

  const columns = columnsFor('league');
  const metricHeads = OUTCOMES.map(([, , letter]) => columns.map((c) => h('th', { class: 'num' }, `${letter} ${c.short ?? c.label}`)));
  body.append(h('div', { class: 'scroll' }, h('table', { class: 'grid-table', 'data-testid': 'events' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Event'), h('th', {}, 'Kick-off'), h('th', {}, 'State'), metricHeads, h('th', { class: 'num' }, 'Volume'))),
    h('tbody', {}, events.map((e) => h('tr', { 'data-market-id': e.market_id },
      h('td', {}, link(`/events/${encodeURIComponent(e.market_id)}`, e.event_name ?? e.market_id)),
      h('td', {}, dateTime(e.market_start_time)),
      h('td', {}, h('span', { class: e.inplay ? 'badge live' : 'badge' }, statusText(e.inplay, e.status))),
      OUTCOMES.map(([o]) => columns.map((c) => h('td', { class: 'num', 'data-col': `${o}_${c.key}` }, c.format(eventValue(e, o, c))))),
      h('td', { class: 'num', 'data-col': 'total_volume' }, amount(e.total_volume))))))));
}
