// The one table of per-outcome metric columns the UI shows. The event page's timeseries table, its latest-value
// cards and its charts, and the league page's event table are all drawn from it: a metric added here (and served
// by the API, which takes its fields from Core's column list) appears everywhere it is marked for.
//
// key: the column suffix. A timeseries point carries stored metrics flat as `${outcome}_${key}` (the
// market_derived_metrics column name, also each cell's data-col); a league event carries them as event[outcome][key].
// Values the server computes rather than stores say where they live in a point with `point`.
// views: where the column is shown: 'table' (event timeseries), 'cards' (event latest values), 'league' (league
// events table, header `${H|A|D} ${short ?? label}`); chart: a chart of the three outcomes on the event page.
import { amount, fraction, price } from './format.js';

export const OUTCOMES = [['home', 'Home', 'H'], ['away', 'Away', 'A'], ['draw', 'Draw', 'D']];

export const COLUMNS = [
  { key: 'best_back', label: 'Back', short: 'back', format: price, views: ['table', 'cards', 'league'], chart: { title: 'Best back price', testId: 'chart-prices' } },
  { key: 'best_lay', label: 'Lay', short: 'lay', format: price, views: ['table', 'cards', 'league'] },
  { key: 'best_back_size_l1', label: 'Back size L1', short: 'back size L1', format: amount, views: ['table', 'cards', 'league'] },
  { key: 'best_lay_size_l1', label: 'Lay size L1', format: amount, views: ['table', 'cards'] },
  { key: 'spread', label: 'Spread', format: price, views: ['cards'] },
  { key: 'back_stake', label: 'Back stake', short: 'back stake', format: amount, views: ['table', 'cards', 'league'] },
  { key: 'back_odds', label: 'Back VWAP', format: price, views: ['table', 'cards'] },
  { key: 'lay_stake', label: 'Lay stake', format: amount, views: ['table', 'cards'] },
  { key: 'lay_odds', label: 'Lay VWAP', format: price, views: ['table', 'cards'] },
  { key: 'impedance', label: 'Stake impedance', short: 'impedance', format: amount, views: ['table', 'cards', 'league'], chart: { title: 'Stake Impedance Index', testId: 'chart-impedance' } },
  { key: 'impedance_norm', label: 'Impedance (norm.)', format: fraction, views: ['cards'] },
  { key: 'size_impedance_l1', label: 'Size impedance L1', format: amount, views: ['table', 'cards'], point: (p, o) => p.sizeImpedanceL1?.[o], chart: { title: 'Size Impedance Index (L1)', testId: 'chart-size-impedance' } },
  { key: 'risk', label: 'Imbalance', short: 'imbalance', format: amount, views: ['table', 'cards', 'league'], chart: { title: 'Imbalance', testId: 'chart-risk' } },
  { key: 'book_risk_l3', label: 'Book risk L3', format: amount, views: ['table', 'cards'] },
];

/** The columns shown in one view, in table order. */
export const columnsFor = (view) => COLUMNS.filter((c) => c.views.includes(view));

/** The charted columns, in table order. */
export const chartedColumns = () => COLUMNS.filter((c) => c.chart);

/** A column's value for outcome o in a timeseries point (null when the API says null or left it out). */
export function pointValue(point, outcome, column) {
  const value = column.point ? column.point(point, outcome) : point[`${outcome}_${column.key}`];
  return value ?? null;
}

/** A column's value in a league event's outcome object (null when the market has no metrics yet). */
export function eventValue(event, outcome, column) {
  return event[outcome]?.[column.key] ?? null;
}
