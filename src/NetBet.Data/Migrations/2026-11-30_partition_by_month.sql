-- market_book_snapshots and market_derived_metrics become range-partitioned on snapshot_at, one partition per
-- calendar month (UTC), named <table>_yYYYYmMM. Table and column names stay; the keys change so that every primary
-- key, unique key and the foreign key between the two tables include market_id and snapshot_at (partitioning needs
-- snapshot_at in every unique key; Citus needs market_id, see README "Beyond one machine"):
--   market_book_snapshots   primary key (market_id, snapshot_at)
--   market_derived_metrics  primary key (market_id, snapshot_at),
--                           foreign key (market_id, snapshot_at) references market_book_snapshots on delete cascade
-- snapshot_id stays an identity column (the API's /api/snapshots/{id}) with a plain index in each month: it stays
-- unique because only the identity sequence hands ids out, not because a constraint checks it (a unique key on it
-- alone is impossible on a partitioned table).
--
-- Unpartitioned tables are converted in place in the migration's one transaction: locked, copied into the new
-- tables and dropped, so writers wait for the whole copy (README "Partitioned storage" has the measured time per
-- 1M snapshots). A database converted by hand with the README's procedure for large databases already has
-- partitioned tables: then only the function and the archive table below are created.
--
-- No default partition: a row for a month without a partition is an error, and writers create the month first with
-- netbet_ensure_month (below) or `netbet partitions ensure`.

-- Creates the month of `at` (UTC) in both tables when it is missing; true when it created anything. Writers call
-- it in a short transaction of its own before writing: creating a partition locks the parent table exclusively
-- until commit. The advisory lock makes concurrent callers take turns, so the second one finds the month there.
-- A month already covered by some other partition (such as an old table attached as one partition over several
-- months, see the README) counts as there.
create or replace function netbet_ensure_month(at timestamptz) returns boolean
language plpgsql
as $fn$
declare
  month_start timestamp := date_trunc('month', at at time zone 'UTC');
  suffix text := to_char(month_start, '"y"YYYY"m"MM');
  lower_bound text := to_char(month_start, 'YYYY-MM-DD') || ' 00:00:00+00';
  upper_bound text := to_char(month_start + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00';
  created boolean := false;
  parent text;
begin
  if at is null or at = 'infinity'::timestamptz or at = '-infinity'::timestamptz then
    raise exception 'netbet_ensure_month: % is not a month', coalesce(at::text, 'NULL') using errcode = '22023';
  end if;
  if to_regclass('market_book_snapshots_' || suffix) is not null and to_regclass('market_derived_metrics_' || suffix) is not null then
    return false;
  end if;

  -- The bytes of "netbetpt".
  perform pg_advisory_xact_lock(7954884637475140724);
  -- Snapshots first: the derived month's foreign key needs the snapshot month to route to.
  foreach parent in array array['market_book_snapshots', 'market_derived_metrics'] loop
    if to_regclass(parent || '_' || suffix) is null then
      begin
        execute format(
          'create table if not exists %I partition of %I for values from (%L) to (%L)',
          parent || '_' || suffix, parent, lower_bound, upper_bound);
        created := true;
      exception when invalid_object_definition then
        -- "would overlap partition ...": another partition already holds this month.
        null;
      end;
    end if;
  end loop;
  return created;
end
$fn$;

-- Months that `netbet archive` wrote to files and dropped; `netbet restore` removes the row. The audit lists them.
create table if not exists archived_months (
  month date primary key, -- the month's first day (UTC)
  location text not null,
  snapshot_rows bigint not null,
  derived_rows bigint not null,
  manifest_sha256 text not null,
  archived_at timestamptz not null default now()
);

-- The in-place conversion, as a function so it runs only when the tables are not partitioned yet.
create function pg_temp.netbet_partition_in_place() returns void
language plpgsql
as $fn$
declare
  r record;
  old_sequence text;
  old_last bigint := 0;
  max_id bigint;
begin
  -- Taken up front in the order writers take them (metadata, snapshots, derived rows), so no lock is upgraded
  -- halfway into a deadlock with a writer. The metadata table too: the new foreign key to it and dropping the old
  -- one lock it, and a writer holding it while waiting for the snapshots would deadlock with this migration.
  lock table market_event_metadata, market_book_snapshots, market_derived_metrics in access exclusive mode;

  -- A derived row always described its own snapshot, but nothing checked that its copies of market_id and
  -- snapshot_at agree with the snapshot's; the new foreign key does. Make them agree first (normally no row).
  update market_derived_metrics d
  set market_id = s.market_id, snapshot_at = s.snapshot_at
  from market_book_snapshots s
  where s.snapshot_id = d.snapshot_id and (d.market_id <> s.market_id or d.snapshot_at <> s.snapshot_at);

  -- Move the old tables and their index and sequence names aside; the new tables take the original names.
  alter table market_derived_metrics rename to market_derived_metrics_unpartitioned;
  alter table market_book_snapshots rename to market_book_snapshots_unpartitioned;
  for r in
    select i.relname as name
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    where x.indrelid in ('market_book_snapshots_unpartitioned'::regclass, 'market_derived_metrics_unpartitioned'::regclass)
  loop
    execute format('alter index %I rename to %I', r.name, left(r.name, 40) || '_unpartitioned');
  end loop;
  old_sequence := pg_get_serial_sequence('market_book_snapshots_unpartitioned', 'snapshot_id');
  if old_sequence is not null then
    execute format('select case when is_called then last_value else last_value - 1 end from %s', old_sequence) into old_last;
    execute format('alter sequence %s rename to market_book_snapshots_snapshot_id_seq_unpartitioned', old_sequence);
  end if;

  create table market_book_snapshots (
    snapshot_id bigint generated by default as identity,
    snapshot_at timestamptz not null,
    market_id text not null,
    raw_payload jsonb,
    total_matched double precision,
    inplay boolean,
    status text,
    depth_limit integer,
    source text default 'rest_listMarketBook',
    capture_version text default 'v1',
    constraint market_book_snapshots_market_id_fkey foreign key (market_id)
      references market_event_metadata (market_id) on delete cascade
  ) partition by range (snapshot_at);

  -- Same columns in the same order as before, the 40 metric columns included.
  create table market_derived_metrics (like market_derived_metrics_unpartitioned including defaults)
    partition by range (snapshot_at);

  perform netbet_ensure_month(m)
  from (
    select distinct date_trunc('month', snapshot_at at time zone 'UTC') at time zone 'UTC' as m
    from market_book_snapshots_unpartitioned
  ) months
  order by m;

  -- Copy, then build the keys and indexes (faster than maintaining them row by row).
  insert into market_book_snapshots (
    snapshot_id, snapshot_at, market_id, raw_payload, total_matched, inplay, status, depth_limit, source, capture_version
  )
  select snapshot_id, snapshot_at, market_id, raw_payload, total_matched, inplay, status, depth_limit, source, capture_version
  from market_book_snapshots_unpartitioned;

  insert into market_derived_metrics select * from market_derived_metrics_unpartitioned;

  -- Ids continue after the highest the old sequence handed out, so no id is ever reused.
  select max(snapshot_id) into max_id from market_book_snapshots;
  if greatest(old_last, coalesce(max_id, 0)) > 0 then
    perform setval(pg_get_serial_sequence('market_book_snapshots', 'snapshot_id'), greatest(old_last, coalesce(max_id, 0)));
  end if;

  -- Privileges granted on the old tables (such as a read-only role's) carry over to the new ones.
  for r in
    select t.table_name, t.grantee, t.privilege_type
    from information_schema.table_privileges t
    where t.table_schema = current_schema()
      and t.table_name in ('market_book_snapshots_unpartitioned', 'market_derived_metrics_unpartitioned')
      and t.grantee <> (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = 'market_book_snapshots_unpartitioned'::regclass)
  loop
    execute format(
      'grant %s on %I to %s',
      r.privilege_type,
      replace(r.table_name, '_unpartitioned', ''),
      case when r.grantee = 'PUBLIC' then 'public' else quote_ident(r.grantee) end);
  end loop;

  drop table market_derived_metrics_unpartitioned;
  drop table market_book_snapshots_unpartitioned;
end
$fn$;

select pg_temp.netbet_partition_in_place()
where not exists (select 1 from pg_partitioned_table where partrelid = 'market_book_snapshots'::regclass);

drop function pg_temp.netbet_partition_in_place();

-- The keys and indexes, on the parents (each month gets its own copy); IF NOT EXISTS so a database converted by
-- hand (README) that already has some of them gets the rest.
do $$
begin
  if not exists (select 1 from pg_constraint where conrelid = 'market_book_snapshots'::regclass and contype = 'p') then
    alter table market_book_snapshots add constraint market_book_snapshots_pkey primary key (market_id, snapshot_at);
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'market_derived_metrics'::regclass and contype = 'p') then
    alter table market_derived_metrics add constraint market_derived_metrics_pkey primary key (market_id, snapshot_at);
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'market_book_snapshots'::regclass and contype = 'f'
                 and confrelid = 'market_event_metadata'::regclass) then
    alter table market_book_snapshots add constraint market_book_snapshots_market_id_fkey foreign key (market_id)
      references market_event_metadata (market_id) on delete cascade;
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'market_derived_metrics'::regclass and contype = 'f'
                 and confrelid = 'market_book_snapshots'::regclass) then
    alter table market_derived_metrics add constraint market_derived_metrics_snapshot_fkey foreign key (market_id, snapshot_at)
      references market_book_snapshots (market_id, snapshot_at) on delete cascade;
  end if;
end
$$;
create index if not exists market_book_snapshots_snapshot_at_idx on market_book_snapshots (snapshot_at);
create index if not exists market_book_snapshots_snapshot_id_idx on market_book_snapshots (snapshot_id);
create index if not exists market_derived_metrics_snapshot_id_idx on market_derived_metrics (snapshot_id);
