using System.Globalization;
using NetBet.Cli.Audit;
using NetBet.Data.Backfill;

namespace NetBet.Cli.Backfill;

/// <summary>The stdout report of a backfill, dry run or verify; its last line is always the summary.</summary>
internal static class BackfillReport
{
    private const int MaxListed = 20;

    public static void Write(TextWriter stdout, BackfillResult result, BackfillOptions options)
    {
        if (result.Columns.Count == 0)
        {
            stdout.WriteLine("No metric columns exist in market_derived_metrics (run netbet migrate).");
        }

        if (options.DryRun)
        {
            WriteDryRun(stdout, result);
        }

        if (options.Verify)
        {
            WriteVerify(stdout, result);
        }

        foreach (var (reason, count) in result.SkipReasons.OrderByDescending(r => r.Value))
        {
            stdout.WriteLine(Invariant($"skipped {count}: {reason} (snapshot ids {string.Join(", ", result.SkipExamples[reason])}{(count > result.SkipExamples[reason].Count ? ", ..." : "")})"));
        }

        foreach (var error in result.ErrorDetails.Take(MaxListed))
        {
            stdout.WriteLine(Invariant($"error: snapshot {error.SnapshotId}: {error.Message}"));
        }

        if (result.Errors > MaxListed)
        {
            stdout.WriteLine(Invariant($"error: ... {result.Errors - MaxListed} more (see the log on stderr)"));
        }

        if (result.Interrupted)
        {
            stdout.WriteLine("Interrupted: every counted batch is committed; run the same command again to continue.");
        }

        stdout.WriteLine(result.SummaryLine);
    }

    private static void WriteDryRun(TextWriter stdout, BackfillResult result)
    {
        stdout.WriteLine("Dry run: nothing was written.");
        var rows = result.Columns.Select(c => new[] { c, result.WouldFill.GetValueOrDefault(c).ToString(CultureInfo.InvariantCulture) }).ToList();
        TextTable.Write(stdout, ["column", "would fill"], rows, rightAligned: [1]);
        if (result.Samples.Count == 0)
        {
            return;
        }

        stdout.WriteLine();
        stdout.WriteLine("Sample rows:");
        var shown = result.Columns.Take(4).ToList();
        var sampleRows = result.Samples.Select(s =>
        {
            var values = s.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
            return (IReadOnlyList<string>)[
                s.SnapshotId.ToString(CultureInfo.InvariantCulture),
                s.MarketId,
                s.SnapshotAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                .. shown.Select(c => values.TryGetValue(c, out var v) ? TextTable.Number(v) : TextTable.Missing),
            ];
        }).ToList();
        TextTable.Write(stdout, ["snapshot_id", "market", "snapshot_at", .. shown], sampleRows, rightAligned: [0, 3, 4, 5, 6]);
        stdout.WriteLine();
    }

    private static void WriteVerify(TextWriter stdout, BackfillResult result)
    {
        stdout.WriteLine(Invariant($"Verify: {result.Compared} stored values compared, {result.DriftCount} differ from the engine by more than 1e-9."));
        if (result.Drift.Count == 0)
        {
            return;
        }

        var rows = result.Drift.Take(MaxListed * 5).Select(d => (IReadOnlyList<string>)[
            d.SnapshotId.ToString(CultureInfo.InvariantCulture),
            d.Column,
            TextTable.Number(d.Stored),
            d.Engine is { } e ? TextTable.Number(e) : TextTable.Missing,
        ]).ToList();
        TextTable.Write(stdout, ["snapshot_id", "column", "stored", "engine"], rows, rightAligned: [0, 2, 3]);
        if (result.DriftCount > rows.Count)
        {
            stdout.WriteLine(Invariant($"... {result.DriftCount - rows.Count} more drifting values"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
