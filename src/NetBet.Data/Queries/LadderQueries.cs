using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>Read query behind <c>/api/snapshots/{snapshot_id}/ladder</c>: one snapshot's raw book, its market's roles and its neighbours.</summary>
public sealed class LadderQueries(NpgsqlDataSource dataSource)
{
    // The neighbours walk the (market_id, snapshot_at) unique index one entry each way.
    private const string LadderSql = """
        select s.snapshot_id, s.market_id, s.snapshot_at, s.inplay, s.status, s.total_matched,
               s.raw_payload::text as raw_payload_json,
               m.home_selection_id, m.away_selection_id, m.draw_selection_id,
               m.home_runner_name, m.away_runner_name, m.draw_runner_name,
               (select p.snapshot_id from market_book_snapshots p
                where p.market_id = s.market_id and p.snapshot_at < s.snapshot_at
                order by p.snapshot_at desc limit 1) as previous_snapshot_id,
               (select n.snapshot_id from market_book_snapshots n
                where n.market_id = s.market_id and n.snapshot_at > s.snapshot_at
                order by n.snapshot_at limit 1) as next_snapshot_id
        from market_book_snapshots s
        join market_event_metadata m on m.market_id = s.market_id
        where s.snapshot_id = @snapshot_id
        """;

    /// <summary>The snapshot with what its ladder view needs; null when there is no such snapshot.</summary>
    /// <param name="snapshotId">The snapshot id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<LadderSnapshotRow?> GetAsync(long snapshotId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<LadderSnapshotRow>(DbReading.Command(
            LadderSql, [DbReading.Parameter("snapshot_id", NpgsqlDbType.Bigint, snapshotId)], cancellationToken));
    }
}

/// <summary>One snapshot with its raw payload, its market's roles and runner names, and the ids of the market's previous and next snapshots.</summary>
public sealed record LadderSnapshotRow
{
    public long SnapshotId { get; init; }
    public required string MarketId { get; init; }
    public DateTimeOffset SnapshotAt { get; init; }
    public bool? Inplay { get; init; }
    public string? Status { get; init; }
    public double? TotalMatched { get; init; }
    public string? RawPayloadJson { get; init; }
    public long? HomeSelectionId { get; init; }
    public long? AwaySelectionId { get; init; }
    public long? DrawSelectionId { get; init; }
    public string? HomeRunnerName { get; init; }
    public string? AwayRunnerName { get; init; }
    public string? DrawRunnerName { get; init; }
    public long? PreviousSnapshotId { get; init; }
    public long? NextSnapshotId { get; init; }
}
