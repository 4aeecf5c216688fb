-- The VWAP inputs of the impedance (METRICS.md section 4). Existing rows keep NULL until backfilled.
-- IF NOT EXISTS: an operator may have added some of these columns by hand.
alter table market_derived_metrics
  add column if not exists home_back_stake double precision,
  add column if not exists home_back_odds double precision,
  add column if not exists home_lay_stake double precision,
  add column if not exists home_lay_odds double precision,
  add column if not exists away_back_stake double precision,
  add column if not exists away_back_odds double precision,
  add column if not exists away_lay_stake double precision,
  add column if not exists away_lay_odds double precision,
  add column if not exists draw_back_stake double precision,
  add column if not exists draw_back_odds double precision,
  add column if not exists draw_lay_stake double precision,
  add column if not exists draw_lay_odds double precision;
