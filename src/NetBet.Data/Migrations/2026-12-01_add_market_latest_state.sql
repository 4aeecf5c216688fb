-- market_latest_state: each market's newest snapshot (the one with the greatest snapshot_at), one small row per
-- market, so the league pages filter, count and page on it instead of looking the newest snapshot up per market
-- in every month's partition. SnapshotWriter keeps it in the same transaction as the snapshot insert: a row moves
-- only to a newer snapshot (an older snapshot imported later leaves it alone), upserted in market_id order so two
-- writers never deadlock. `netbet restore` moves it the same way; `netbet archive` recomputes the rows whose snapshot
-- it dropped. No foreign key to market_event_metadata (the schema's foreign keys stay the two of the big tables): a
-- row of a market whose metadata was deleted by hand is never read, since every read starts from the metadata.
create table if not exists market_latest_state (
  market_id text primary key,
  snapshot_id bigint not null,
  snapshot_at timestamptz not null,
  inplay boolean,
  status text,
  total_matched double precision
) with (fillfactor = 70); -- room on the page for HOT updates: every poll tick rewrites every polled market's row

-- Sets the rows of `markets` (every market when NULL) to their newest stored snapshot, deleting the row of a market
-- that has none; returns the rows changed. For bulk loads done in plain SQL and for partitions dropped by hand (run
-- `select netbet_refresh_latest_state()` afterwards); `netbet archive` calls it for the markets of a dropped month.
-- The table lock makes writers' upserts wait until commit, so a snapshot this function cannot see yet is applied by
-- its writer afterwards (newer only), never overwritten by this. One index descent per market and month.
create or replace function netbet_refresh_latest_state(markets text[] default null) returns bigint
language plpgsql
as $fn$
declare
  changed bigint;
  orphans bigint := 0;
begin
  lock table market_latest_state in share row exclusive mode;
  with latest as (
    select m.market_id, s.snapshot_id, s.snapshot_at, s.inplay, s.status, s.total_matched
    from market_event_metadata m
    left join lateral (
      select s.snapshot_id, s.snapshot_at, s.inplay, s.status, s.total_matched
      from market_book_snapshots s
      where s.market_id = m.market_id
      order by s.snapshot_at desc
      limit 1
    ) s on true
    where markets is null or m.market_id = any(markets)
  ), gone as (
    delete from market_latest_state l
    using latest
    where l.market_id = latest.market_id and latest.snapshot_at is null
    returning 1
  ), upserted as (
    insert into market_latest_state as l (market_id, snapshot_id, snapshot_at, inplay, status, total_matched)
    select market_id, snapshot_id, snapshot_at, inplay, status, total_matched
    from latest
    where snapshot_at is not null
    order by market_id
    on conflict (market_id) do update set
      snapshot_id = excluded.snapshot_id, snapshot_at = excluded.snapshot_at, inplay = excluded.inplay,
      status = excluded.status, total_matched = excluded.total_matched
    where (l.snapshot_id, l.snapshot_at, l.inplay, l.status, l.total_matched)
      is distinct from (excluded.snapshot_id, excluded.snapshot_at, excluded.inplay, excluded.status, excluded.total_matched)
    returning 1
  )
  select (select count(*) from gone) + (select count(*) from upserted) into changed;

  if markets is null then
    delete from market_latest_state l
    where not exists (select 1 from market_event_metadata m where m.market_id = l.market_id);
    get diagnostics orphans = row_count;
  end if;
  return changed + orphans;
end
$fn$;

-- Filled from the stored snapshots under a SHARE lock: snapshot writers wait for this migration, so none commits a
-- snapshot the fill cannot see. A writer waiting here finds the table once it may insert, and upserts into it.
lock table market_book_snapshots in share mode;
select netbet_refresh_latest_state();
analyze market_latest_state;

-- Readable by the web app's role like every other table (2026-11-28_add_reader_role.sql; its default privileges
-- cover a table the migrating role creates, this also covers one created by another role).
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'netbet_reader') then
    execute format('grant select on %I.market_latest_state to netbet_reader', current_schema());
  end if;
end
$$;
