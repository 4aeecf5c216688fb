using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using Npgsql;

namespace NetBet.Data.Audit;

/// <summary>One row of <c>netbet spot-check</c>: the L1 sizes and VWAP stakes per outcome, NULL where missing.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="SnapshotAt">When it was taken.</param>
/// <param name="MarketId">Its market.</param>
/// <param name="Values">Per outcome (home, away, draw) the values of <see cref="SpotCheck.Metrics"/>.</param>
public sealed record SpotCheckRow(long SnapshotId, DateTimeOffset SnapshotAt, string MarketId, double?[][] Values);

/// <summary>The newest (or oldest) derived rows with the columns the backfill fills, to eyeball after a run.</summary>
public sealed class SpotCheck(NpgsqlDataSource dataSource)
{
    /// <summary>The metrics shown per outcome: L1 back/lay sizes, then back/lay stakes.</summary>
    public static IReadOnlyList<OutcomeMetric> Metrics { get; } =
        [OutcomeMetric.BestBackSizeL1, OutcomeMetric.BestLaySizeL1, OutcomeMetric.BackStake, OutcomeMetric.LayStake];

    // Ordered through market_book_snapshots, whose snapshot_at index serves "newest first" without a sort.
    private const string QueryTemplate = """
        select d.snapshot_id, d.snapshot_at, d.market_id{columns}
        from market_book_snapshots s
        join market_derived_metrics d on d.market_id = s.market_id and d.snapshot_at = s.snapshot_at
        {where}
        order by s.snapshot_at {direction}, s.snapshot_id {direction}
        limit @limit
        """;

    /// <summary>Reads the rows.</summary>
    /// <param name="limit">How many rows.</param>
    /// <param name="oldest">Oldest first instead of newest first.</param>
    /// <param name="marketId">Only this market; null for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<IReadOnlyList<SpotCheckRow>> RunAsync(int limit, bool oldest, string? marketId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await MetricSchema.ExistingMetricColumnsAsync(connection, cancellationToken);

        // A column not migrated yet reads as NULL, so the command works on any schema version.
        var selects = new List<string>();
        foreach (var outcome in new[] { Outcome.Home, Outcome.Away, Outcome.Draw })
        {
            foreach (var metric in Metrics)
            {
                var name = MetricColumns.Names[MetricColumns.IndexOf(outcome, metric)];
                selects.Add(existing.Contains(name) ? $", d.{name}" : ", null::double precision");
            }
        }

        var direction = oldest ? "asc" : "desc";
        var sql = QueryTemplate
            .Replace("{columns}", string.Concat(selects), StringComparison.Ordinal)
            .Replace("{where}", marketId is null ? "" : "where s.market_id = @market", StringComparison.Ordinal)
            .Replace("{direction}", direction, StringComparison.Ordinal);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("limit", limit);
        if (marketId is not null)
        {
            command.Parameters.AddWithValue("market", marketId);
        }

        var rows = new List<SpotCheckRow>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new double?[3][];
            for (var o = 0; o < 3; o++)
            {
                values[o] = new double?[Metrics.Count];
                for (var m = 0; m < Metrics.Count; m++)
                {
                    var ordinal = 3 + (o * Metrics.Count) + m;
                    values[o][m] = reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
                }
            }

            rows.Add(new SpotCheckRow(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), values));
        }

        return rows;
    }
}
