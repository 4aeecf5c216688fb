-- Audit sections A and B over market_book_snapshots: one pass over the table.
-- ladder_rows: payloads with at least one runner whose back or lay side has a level.
select
  count(*) as total_snapshots,
  min(s.snapshot_at) as oldest,
  max(s.snapshot_at) as newest,
  count(distinct s.market_id) as markets,
  count(*) filter (where s.raw_payload is not null) as raw_payload_rows,
  count(*) filter (
    where jsonb_path_exists(s.raw_payload, '$.runners[*].ex ? (exists(@.availableToBack[0]) || exists(@.availableToLay[0]))', '{}', true)
  ) as ladder_rows,
  count(*) filter (
    where m.home_selection_id is null or m.away_selection_id is null or m.draw_selection_id is null
  ) as rows_without_roles,
  (select count(*) from market_derived_metrics) as derived_rows
from market_book_snapshots s
left join market_event_metadata m on m.market_id = s.market_id;

select coalesce(source, '(none)') as source, count(*) as rows
from market_book_snapshots
group by 1
order by 2 desc, 1;
