using Npgsql;

namespace NetBet.Data.Snapshots;

/// <summary>
/// <c>market_latest_state</c> (migration <c>2026-12-01_add_market_latest_state</c>): each market's newest snapshot.
/// Every statement that moves a row forward uses <see cref="NewerOnly"/> and feeds rows in <c>market_id</c> order, so
/// an older snapshot written later never overwrites a newer one, and concurrent writers lock rows in one order.
/// </summary>
internal static class LatestStateSql
{
    /// <summary>The table's columns, in the order the upserts select them.</summary>
    public const string Columns = "market_id, snapshot_id, snapshot_at, inplay, status, total_matched";

    /// <summary>The conflict clause of an upsert aliased <c>l</c>: the row moves only to a newer snapshot.</summary>
    public const string NewerOnly = """
        on conflict (market_id) do update set
          snapshot_id = excluded.snapshot_id, snapshot_at = excluded.snapshot_at, inplay = excluded.inplay,
          status = excluded.status, total_matched = excluded.total_matched
        where excluded.snapshot_at > l.snapshot_at
        """;

    /// <summary>Whether the database has the table (migrated past <c>2026-12-01_add_market_latest_state</c>).</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass('market_latest_state') is not null", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// After a month was dropped (<c>netbet archive</c>): the rows whose snapshot was in [<c>@from</c>, <c>@to</c>)
    /// are recomputed from what is left (an older month's snapshot, or no row), by the migration's function.
    /// </summary>
    public const string RefreshDroppedMonth = """
        select netbet_refresh_latest_state(array(
          select market_id from market_latest_state where snapshot_at >= @from and snapshot_at < @to))
        """;

    /// <summary>After a month's snapshots were loaded back (<c>netbet restore</c>): each market's newest in the month, newer only; selects the rows moved.</summary>
    public const string UpsertFromMonth = $"""
        with moved as (
          insert into market_latest_state as l ({Columns})
          select distinct on (market_id) {Columns}
          from market_book_snapshots
          where snapshot_at >= @from and snapshot_at < @to
          order by market_id, snapshot_at desc
          {NewerOnly}
          returning 1
        )
        select count(*) from moved
        """;
}
