// Controls shared by the leagues and league pages: day navigation and the in-play/upcoming filter.
import { h } from '../dom.js';
import { addDays, isDay, today } from '../format.js';
import { navigate } from '../app.js';

export const FILTERS = [
  ['all', 'All events'],
  ['upcoming', 'Upcoming only'],
  ['inplay', 'In play only'],
];

/** The page state kept in the query string: ?date=yyyy-MM-dd&filter=all|upcoming|inplay&q=... */
export function readState(query) {
  const date = isDay(query.get('date')) ? query.get('date') : today();
  const filter = FILTERS.some(([key]) => key === query.get('filter')) ? query.get('filter') : 'all';
  return { date, filter, q: query.get('q') ?? '' };
}

export function stateHref(path, state) {
  const params = new URLSearchParams();
  if (state.date && state.date !== today()) params.set('date', state.date);
  if (state.filter && state.filter !== 'all') params.set('filter', state.filter);
  if (state.q) params.set('q', state.q);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export function dayNavigation(path, state) {
  const go = (date) => navigate(stateHref(path, { ...state, date }));
  const picker = h('input', {
    type: 'date', value: state.date, 'data-testid': 'date', 'aria-label': 'Day (UTC)',
    onchange: (e) => isDay(e.target.value) && go(e.target.value),
  });
  return h('div', { class: 'day-nav' },
    h('button', { type: 'button', 'data-testid': 'prev-day', onclick: () => go(addDays(state.date, -1)) }, '← Previous day'),
    picker,
    h('button', { type: 'button', 'data-testid': 'today', onclick: () => go(today()) }, 'Today'),
    h('button', { type: 'button', 'data-testid': 'next-day', onclick: () => go(addDays(state.date, 1)) }, 'Next day →'));
}

export function filterSelect(path, state) {
  return h('select', {
    'data-testid': 'filter', 'aria-label': 'In-play filter',
    onchange: (e) => navigate(stateHref(path, { ...state, filter: e.target.value })),
  }, FILTERS.map(([key, label]) => h('option', { value: key, selected: key === state.filter }, label)));
}

/** API parameters for one UTC day and the filter; "in play only" is applied by the page after fetching. */
export function windowParams(state) {
  return { from: state.date, to: state.date, include_in_play: state.filter === 'upcoming' ? 'false' : 'true' };
}
