using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Data.Backfill;

/// <summary>One candidate row as loaded: its payload, the market's roles and the stored chosen columns.</summary>
internal sealed record BackfillRow(
    long SnapshotId,
    string MarketId,
    DateTimeOffset SnapshotAt,
    byte[]? Payload,
    RunnerRoles? Roles,
    double?[] Stored);

internal enum BackfillOutcome
{
    Computed,
    Skipped,
    Error,
}

/// <summary>The engine's answer for one row, reduced to the chosen columns, or why there is none.</summary>
/// <param name="Outcome">Computed, skipped or unreadable.</param>
/// <param name="Values">The chosen columns' values when computed.</param>
/// <param name="Skip">Why the row is skipped, in storage's vocabulary.</param>
/// <param name="Error">What was wrong with the payload, and where.</param>
internal readonly record struct ComputedRow(BackfillOutcome Outcome, double?[]? Values, SkipReason? Skip = null, string? Error = null);

/// <summary>
/// Runs the metric engine over a batch: the same <see cref="MarketBookReader"/> and <see cref="MetricEngine"/> that
/// ingestion uses, so a backfilled value is the value ingestion would have written.
/// </summary>
internal static class BackfillCompute
{
    public static ComputedRow Compute(BackfillRow row, int[] columnIndexes)
    {
        if (row.Payload is null)
        {
            return new ComputedRow(BackfillOutcome.Skipped, null, Skip: SkipReason.NoRawPayload);
        }

        MarketBook book;
        try
        {
            book = MarketBookReader.Read(row.Payload);
        }
        catch (MarketBookFormatException e)
        {
            return new ComputedRow(BackfillOutcome.Error, null, Error: e.Message);
        }

        var result = MetricEngine.Compute(book, row.Roles);
        if (result.Row is not { } derived)
        {
            return new ComputedRow(BackfillOutcome.Skipped, null, Skip: (result.Skip ?? SkipReason.RolesIncomplete).ForStoredSnapshot());
        }

        var values = new double?[columnIndexes.Length];
        for (var i = 0; i < columnIndexes.Length; i++)
        {
            values[i] = derived[columnIndexes[i]];
        }

        return new ComputedRow(BackfillOutcome.Computed, values, null);
    }

    /// <summary>Computes every row of the batch in parallel; the engine is pure, so rows are independent.</summary>
    public static ComputedRow[] ComputeBatch(IReadOnlyList<BackfillRow> rows, int[] columnIndexes, CancellationToken cancellationToken)
    {
        var results = new ComputedRow[rows.Count];
        // Small batches are cheaper on one thread than the cost of scheduling work items.
        if (rows.Count < 64)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                results[i] = Compute(rows[i], columnIndexes);
            }

            return results;
        }

        Parallel.For(
            0,
            rows.Count,
            new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => results[i] = Compute(rows[i], columnIndexes));
        return results;
    }

    /// <summary>METRICS.md section 8: equal when within 1e-9 absolutely or relatively.</summary>
    public static bool SameValue(double stored, double engine)
    {
        if (stored.Equals(engine))
        {
            return true;
        }

        var diff = Math.Abs(stored - engine);
        return diff <= 1e-9 || diff <= 1e-9 * Math.Max(Math.Abs(stored), Math.Abs(engine));
    }
}
