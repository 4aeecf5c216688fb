using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>Read queries over <c>market_book_snapshots</c> as a whole: one raw snapshot, and the newest capture time.</summary>
public sealed class SnapshotQueries(NpgsqlDataSource dataSource)
{
    private const string RawSql = """
        select s.snapshot_id, s.market_id, s.snapshot_at, s.raw_payload::text as raw_payload_json
        from market_book_snapshots s
        where s.snapshot_id = @snapshot_id
        """;

    // max() over the snapshot_at index reads one index entry.
    private const string NewestSnapshotAtSql = "select max(snapshot_at) from market_book_snapshots";

    /// <summary>One snapshot with its raw payload; null when there is no such snapshot.</summary>
    /// <param name="snapshotId">The snapshot id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<RawSnapshotRow?> GetRawAsync(long snapshotId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RawSnapshotRow>(DbReading.Command(
            RawSql, [DbReading.Parameter("snapshot_id", NpgsqlDbType.Bigint, snapshotId)], cancellationToken));
    }

    /// <summary>The capture time of the newest snapshot of any market; null when there is none.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<DateTimeOffset?> GetNewestSnapshotAtAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(NewestSnapshotAtSql);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }
}
