-- Audit sections A and B over market_book_snapshots: one pass over the table, or over the months of @from .. @to
-- (NULL for an open end; the bounds are constants when planned, so only those months' partitions are read).
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
  (
    select count(*) from market_derived_metrics d
    where d.snapshot_at >= coalesce(@from, '-infinity'::timestamptz) and d.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
  ) as derived_rows
from market_book_snapshots s
left join market_event_metadata m on m.market_id = s.market_id
where s.snapshot_at >= coalesce(@from, '-infinity'::timestamptz) and s.snapshot_at < coalesce(@to, 'infinity'::timestamptz);

select coalesce(source, '(none)') as source, count(*) as rows
from market_book_snapshots s
where s.snapshot_at >= coalesce(@from, '-infinity'::timestamptz) and s.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
group by 1
order by 2 desc, 1;
