// "/": competitions with events on the chosen UTC day.
import { api } from '../api.js';
import { h, link } from '../dom.js';
import { dateTime } from '../format.js';
import { navigate } from '../app.js';
import { dayNavigation, filterSelect, readState, stateHref, windowParams } from './common.js';

export async function renderLeagues(root, query) {
  const state = readState(query);
  const search = h('input', {
    type: 'search', value: state.q, placeholder: 'Search competitions', 'data-testid': 'search', 'aria-label': 'Search competitions',
  });
  const form = h('form', {
    class: 'search', role: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      navigate(stateHref('/', { ...state, q: search.value.trim() }));
    },
  }, search, h('button', { type: 'submit' }, 'Search'));

  const list = h('div', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading…'));
  root.append(
    h('section', { class: 'toolbar' }, h('h1', {}, 'Leagues'), form, dayNavigation('/', state), filterSelect('/', state)),
    list);

  const data = await api.leagues({ ...windowParams(state), q: state.q, limit: 500 });
  let leagues = data.leagues;
  if (state.filter === 'inplay') leagues = leagues.filter((l) => l.in_play_count > 0);

  list.replaceChildren();
  if (leagues.length === 0) {
    list.append(h('p', { class: 'muted', 'data-testid': 'empty' }, `No competitions with events on ${state.date}${state.q ? ` matching "${state.q}"` : ''}.`));
    return;
  }

  const leagueState = { date: state.date, filter: state.filter };
  list.append(h('table', { class: 'grid-table', 'data-testid': 'leagues' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Competition'), h('th', {}, 'Country'), h('th', { class: 'num' }, 'Events'),
      h('th', { class: 'num' }, 'In play'), h('th', {}, 'First kick-off'), h('th', {}, 'Last kick-off'))),
    h('tbody', {}, leagues.map((l) => h('tr', { 'data-league': l.league },
      h('td', {}, link(stateHref(`/leagues/${encodeURIComponent(l.league)}`, leagueState), l.competition_name)),
      h('td', {}, l.country_code ?? ''),
      h('td', { class: 'num' }, String(l.event_count)),
      h('td', { class: 'num' }, l.in_play_count > 0 ? h('span', { class: 'badge live' }, String(l.in_play_count)) : '0'),
      h('td', {}, dateTime(l.first_start_time)),
      h('td', {}, dateTime(l.last_start_time)))))));
}
