// Client-side router for the three pages; the server answers every deep link with this same index.html.
import { api } from './api.js';
import { clear, h } from './dom.js';
import { renderLeagues } from './pages/leagues.js';
import { renderLeague } from './pages/league.js';
import { renderEvent } from './pages/event.js';

const app = document.getElementById('app');

const routes = [
  { pattern: /^\/$/, render: (root, params, query) => renderLeagues(root, query) },
  { pattern: /^\/leagues\/([^/]+)$/, render: (root, [league], query) => renderLeague(root, league, query) },
  { pattern: /^\/events\/([^/]+)$/, render: (root, [marketId], query) => renderEvent(root, marketId, query) },
];

export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  render();
}

async function render() {
  const { pathname, search } = window.location;
  const query = new URLSearchParams(search);
  const route = routes.find((r) => r.pattern.test(pathname));
  // Each render paints into its own container: a slower earlier render only touches a detached node.
  const view = h('div', { class: 'view' });
  clear(app).append(view);
  if (!route) {
    view.append(h('section', { class: 'panel' }, h('h1', {}, 'Not found'), h('p', {}, `No page at ${pathname}.`)));
    return;
  }
  const params = pathname.match(route.pattern).slice(1).map(decodeURIComponent);
  try {
    await route.render(view, params, query);
  } catch (error) {
    clear(view).append(h('section', { class: 'panel error', 'data-testid': 'error' },
      h('h1', {}, error.status === 404 ? 'Not found' : 'Something went wrong'),
      h('p', {}, error.message)));
  }
}

document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

async function showHealth() {
  const el = document.getElementById('health');
  const health = await api.health();
  el.textContent = health.database === 'ok' ? 'Database ok' : 'Database unreachable';
  el.className = `health ${health.database === 'ok' ? 'ok' : 'down'}`;
  if (health.newest_snapshot_at) el.title = `Newest snapshot ${health.newest_snapshot_at}`;
}

render();
showHealth();
