using Dapper;
using Npgsql;

namespace NetBet.Data.State;

/// <summary>How much is stored: exact snapshot count and the newest capture time.</summary>
/// <param name="Snapshots">Rows of <c>market_book_snapshots</c>.</param>
/// <param name="Newest">The newest <c>snapshot_at</c>; null when there are none.</param>
public sealed record SnapshotTotals(long Snapshots, DateTimeOffset? Newest);

/// <summary>
/// Exact counts over the stored snapshots for <c>netbet status</c> and the demo's narration. They scan the table:
/// meant for a command run by hand, not for a page polled every few seconds.
/// </summary>
public sealed class SnapshotCounts(NpgsqlDataSource dataSource)
{
    private const string TotalsSql = "select count(*) as snapshots, max(snapshot_at) as newest from market_book_snapshots";

    private const string MarketsSql = "select count(distinct market_id) from market_book_snapshots";

    /// <summary>The snapshot count and newest capture time.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="SchemaNotReadyException">The snapshot table does not exist yet.</exception>
    public async Task<SnapshotTotals> GetTotalsAsync(CancellationToken cancellationToken)
    {
        var (snapshots, newest) = await QueryAsync<(long, DateTime?)>(TotalsSql, cancellationToken);
        return new SnapshotTotals(snapshots, newest is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null);
    }

    /// <summary>Distinct markets among the stored snapshots.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="SchemaNotReadyException">The snapshot table does not exist yet.</exception>
    public Task<long> CountMarketsAsync(CancellationToken cancellationToken) => QueryAsync<long>(MarketsSql, cancellationToken);

    private async Task<T> QueryAsync<T>(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await connection.QuerySingleAsync<T>(new CommandDefinition(sql, cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (SchemaNotReadyException.IsMissingObject(e))
        {
            throw SchemaNotReadyException.From(e);
        }
    }
}
