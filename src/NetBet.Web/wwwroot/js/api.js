// Fetches JSON from the API; a ProblemDetails answer becomes an Error carrying its title, detail and status.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function getJson(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, value);
  }
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const isJson = (response.headers.get('content-type') || '').includes('json');
  const body = isJson ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const api = {
  health: () => getJson('/api/health').catch((e) => ({ status: 'unavailable', database: 'unreachable', error: e })),
  leagues: (params) => getJson('/api/leagues', params),
  leagueEvents: (league, params) => getJson(`/api/leagues/${encodeURIComponent(league)}/events`, params),
  meta: (marketId) => getJson(`/api/events/${encodeURIComponent(marketId)}/meta`),
  timeseries: (marketId, params) => getJson(`/api/events/${encodeURIComponent(marketId)}/timeseries`, params),
  snapshotRaw: (snapshotId) => getJson(`/api/snapshots/${encodeURIComponent(snapshotId)}/raw`),
};
