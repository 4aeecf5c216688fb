// Number and time formatting shared by every page. "—" means the stored value is NULL, nothing else:
// 0 prints as 0.00.
export const DASH = '—';

const money = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ratio = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 4, maximumFractionDigits: 4 });

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);

/** Decimal odds: 2 decimals, no grouping. */
export function price(v) {
  return isNumber(v) ? v.toFixed(2) : DASH;
}

/** Amounts in GBP (sizes, stakes, liabilities, indices): 2 decimals with thousands separators. */
export function amount(v) {
  return isNumber(v) ? money.format(v) : DASH;
}

/** Dimensionless ratios such as normalised impedance: 4 decimals. */
export function fraction(v) {
  return isNumber(v) ? ratio.format(v) : DASH;
}

const pad = (n) => String(n).padStart(2, '0');

/** "2026-02-14 18:05 UTC"; the API's windows are UTC days, so the UI speaks UTC too. */
export function dateTime(iso, withSeconds = false) {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${withSeconds ? ':' + pad(d.getUTCSeconds()) : ''}`;
  return `${isoDay(d)} ${time} UTC`;
}

export function time(iso) {
  if (!iso) return DASH;
  const d = new Date(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** yyyy-MM-dd of a Date in UTC. */
export function isoDay(d) {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDay(d);
}

export function today() {
  return isoDay(new Date());
}

export function isDay(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text || '') && !Number.isNaN(new Date(`${text}T00:00:00Z`).getTime());
}

export function statusText(inplay, status) {
  const parts = [];
  if (inplay === true) parts.push('In play');
  else if (inplay === false) parts.push('Pre-match');
  if (status) parts.push(status);
  return parts.length ? parts.join(' · ') : DASH;
}
