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

/// <summary>The engine's answer for one row, reduced to the chosen columns.</summary>
internal readonly record struct ComputedRow(BackfillOutcome Outcome, double?[]? Values, string? Reason);

/// <summary>
/// Runs the metric engine over a batch: the same <see cref="MarketBookReader"/> and <see cref="MetricEngine"/> that
/// ingestion uses, so a backfilled value is the value ingestion would have written.
/// </summary>
internal static class BackfillCompute
{
    public const string NoRawPayload = "no raw payload";
    public const string NoRoles = "no roles for the market";

    /// <summary>The skip reason text used by backfill and audit alike.</summary>
    public static string Describe(SkipReason reason) =>
        reason == SkipReason.RolesIncomplete ? NoRoles : reason.Describe();

    public static ComputedRow Compute(BackfillRow row, int[] columnIndexes)
    {
        if (row.Payload is null)
        {
            return new ComputedRow(BackfillOutcome.Skipped, null, NoRawPayload);
        }

        MarketBook book;
        try
        {
            book = MarketBookReader.Read(row.Payload);
        }
        catch (MarketBookFormatException e)
        {
            return new ComputedRow(BackfillOutcome.Error, null, e.Message);
        }

        var result = MetricEngine.Compute(book, row.Roles);
        if (result.Row is not { } derived)
        {
            return new ComputedRow(BackfillOutcome.Skipped, null, Describe(result.Skip ?? SkipReason.RolesIncomplete));
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
