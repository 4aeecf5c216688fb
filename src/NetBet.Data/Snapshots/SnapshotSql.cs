namespace NetBet.Data.Snapshots;

/// <summary>The statements of <see cref="SnapshotWriter"/>. Temporary tables live for one transaction.</summary>
internal static class SnapshotSql
{
    public const string CreateMetadataTemp = """
        create temp table netbet_metadata_in (
          market_id text, market_name text, market_start_time timestamptz, sport_id text, sport_name text,
          event_id text, event_name text, event_open_date timestamptz, country_code text, competition_id text,
          competition_name text, timezone text, home_selection_id bigint, away_selection_id bigint,
          draw_selection_id bigint, home_runner_name text, away_runner_name text, draw_runner_name text,
          seen_at timestamptz
        ) on commit drop
        """;

    public const string CopyMetadata = """
        copy netbet_metadata_in (
          market_id, market_name, market_start_time, sport_id, sport_name, event_id, event_name, event_open_date,
          country_code, competition_id, competition_name, timezone, home_selection_id, away_selection_id,
          draw_selection_id, home_runner_name, away_runner_name, draw_runner_name, seen_at
        ) from stdin (format binary)
        """;

    // A later catalogue never erases what an earlier one said; first/last seen keep the extremes.
    public const string UpsertMetadata = """
        insert into market_event_metadata as m (
          market_id, market_name, market_start_time, sport_id, sport_name, event_id, event_name, event_open_date,
          country_code, competition_id, competition_name, timezone, home_selection_id, away_selection_id,
          draw_selection_id, home_runner_name, away_runner_name, draw_runner_name, first_seen_at, last_seen_at
        )
        select
          market_id, market_name, market_start_time, sport_id, sport_name, event_id, event_name, event_open_date,
          country_code, competition_id, competition_name, timezone, home_selection_id, away_selection_id,
          draw_selection_id, home_runner_name, away_runner_name, draw_runner_name,
          coalesce(seen_at, now()), coalesce(seen_at, now())
        from netbet_metadata_in
        order by market_id -- rows locked in one order, so two writers' batches never deadlock
        on conflict (market_id) do update set
          market_name = coalesce(excluded.market_name, m.market_name),
          market_start_time = coalesce(excluded.market_start_time, m.market_start_time),
          sport_id = coalesce(excluded.sport_id, m.sport_id),
          sport_name = coalesce(excluded.sport_name, m.sport_name),
          event_id = coalesce(excluded.event_id, m.event_id),
          event_name = coalesce(excluded.event_name, m.event_name),
          event_open_date = coalesce(excluded.event_open_date, m.event_open_date),
          country_code = coalesce(excluded.country_code, m.country_code),
          competition_id = coalesce(excluded.competition_id, m.competition_id),
          competition_name = coalesce(excluded.competition_name, m.competition_name),
          timezone = coalesce(excluded.timezone, m.timezone),
          home_selection_id = coalesce(excluded.home_selection_id, m.home_selection_id),
          away_selection_id = coalesce(excluded.away_selection_id, m.away_selection_id),
          draw_selection_id = coalesce(excluded.draw_selection_id, m.draw_selection_id),
          home_runner_name = coalesce(excluded.home_runner_name, m.home_runner_name),
          away_runner_name = coalesce(excluded.away_runner_name, m.away_runner_name),
          draw_runner_name = coalesce(excluded.draw_runner_name, m.draw_runner_name),
          first_seen_at = least(m.first_seen_at, excluded.first_seen_at),
          last_seen_at = greatest(m.last_seen_at, excluded.last_seen_at)
        """;

    public const string CreateSnapshotTemp = """
        create temp table netbet_snapshots_in (
          ord bigint generated always as identity, market_id text, snapshot_at timestamptz, raw_payload jsonb,
          total_matched double precision, inplay boolean, status text, depth_limit integer, source text,
          capture_version text
        ) on commit drop
        """;

    public const string CopySnapshots = """
        copy netbet_snapshots_in (
          market_id, snapshot_at, raw_payload, total_matched, inplay, status, depth_limit, source, capture_version
        ) from stdin (format binary)
        """;

    private const string InsertSnapshotsCore = """
        insert into market_book_snapshots (
          market_id, snapshot_at, raw_payload, total_matched, inplay, status, depth_limit, source, capture_version
        )
        select market_id, snapshot_at, raw_payload, total_matched, inplay, status, depth_limit, source, capture_version
        from netbet_snapshots_in
        order by ord
        on conflict (market_id, snapshot_at) do nothing
        """;

    public const string InsertSnapshots = InsertSnapshotsCore;

    // The inserted snapshots' newest per market into market_latest_state, in market_id order (see LatestStateSql).
    private const string UpsertLatestFromInserted = $"""
        latest as (
          insert into market_latest_state as l ({LatestStateSql.Columns})
          select distinct on (market_id) {LatestStateSql.Columns}
          from inserted
          order by market_id, snapshot_at desc
          {LatestStateSql.NewerOnly}
        )
        """;

    /// <summary>Inserts the snapshots and moves market_latest_state in one round trip; selects the inserted count.</summary>
    public const string InsertSnapshotsWithLatest = $"""
        with inserted as (
        {InsertSnapshotsCore}
          returning {LatestStateSql.Columns}
        ), {UpsertLatestFromInserted}
        select count(*) from inserted
        """;

    /// <summary>
    /// For a writer that did not know market_latest_state when its transaction began (the migration creating it
    /// committed meanwhile): the batch's stored snapshots, looked up by key after the insert.
    /// </summary>
    public const string UpsertLatestFromBatch = $"""
        insert into market_latest_state as l ({LatestStateSql.Columns})
        select distinct on (s.market_id) s.market_id, s.snapshot_id, s.snapshot_at, s.inplay, s.status, s.total_matched
        from netbet_snapshots_in i
        join market_book_snapshots s on s.market_id = i.market_id and s.snapshot_at = i.snapshot_at
        order by s.market_id, s.snapshot_at desc
        {LatestStateSql.NewerOnly}
        """;

    public static string CreateDerivedTemp(IReadOnlyList<string> metricColumns) =>
        $"""
        create temp table netbet_derived_in (
          market_id text, snapshot_at timestamptz,
          {string.Join(", ", metricColumns.Select(c => c + " double precision"))}
        ) on commit drop
        """;

    public static string CopyDerived(IReadOnlyList<string> metricColumns) =>
        $"copy netbet_derived_in (market_id, snapshot_at, {string.Join(", ", metricColumns)}) from stdin (format binary)";

    // One round trip: the snapshots that were new get their derived rows (and move market_latest_state when
    // withLatest); $1 = depth_limit, $2 = calculation_version.
    public static string InsertSnapshotsAndDerived(IReadOnlyList<string> metricColumns, bool withLatest)
    {
        var columns = string.Join(", ", metricColumns);
        var values = string.Join(", ", metricColumns.Select(c => "d." + c));
        return $"""
            with inserted as (
            {InsertSnapshotsCore}
              returning {LatestStateSql.Columns}
            ),{(withLatest ? $" {UpsertLatestFromInserted}," : "")} derived as (
              insert into market_derived_metrics (snapshot_id, snapshot_at, market_id, depth_limit, calculation_version, {columns})
              select i.snapshot_id, i.snapshot_at, i.market_id, $1, $2, {values}
              from inserted i
              join netbet_derived_in d on d.market_id = i.market_id and d.snapshot_at = i.snapshot_at
              returning 1
            )
            select (select count(*) from inserted), (select count(*) from derived)
            """;
    }
}
