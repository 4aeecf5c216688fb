-- First-level sizes of the best back and lay prices (METRICS.md section 5). Existing rows keep NULL until backfilled.
-- IF NOT EXISTS: an operator may have added some of these columns by hand.
alter table market_derived_metrics
  add column if not exists home_best_back_size_l1 double precision,
  add column if not exists home_best_lay_size_l1 double precision,
  add column if not exists away_best_back_size_l1 double precision,
  add column if not exists away_best_lay_size_l1 double precision,
  add column if not exists draw_best_back_size_l1 double precision,
  add column if not exists draw_best_lay_size_l1 double precision;
