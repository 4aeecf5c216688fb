namespace NetBet.Data.Backfill;

/// <summary>What one backfill (or dry run, or verify) run covers.</summary>
public sealed record BackfillOptions
{
    /// <summary>Default rows per batch: small enough that one batch's transaction holds its row locks briefly.</summary>
    public const int DefaultBatchSize = 500;

    /// <summary>Rows read, computed and written per transaction.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Stop after this many candidate rows; null for all.</summary>
    public long? Limit { get; init; }

    /// <summary>Compute and report, write nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Recompute the columns that are NOT NULL and report drift, write nothing.</summary>
    public bool Verify { get; init; }

    /// <summary>Metric columns to fill; null or empty for every metric column that exists in the schema.</summary>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>Only this market.</summary>
    public string? MarketId { get; init; }

    /// <summary>Only snapshots taken at or after this time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Only snapshots taken before this time.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Dry run: sample rows to report.</summary>
    public int SampleRows { get; init; } = 5;

    /// <summary>
    /// Concurrent workers, each with its own connections, taking work units (a month's block of
    /// <see cref="BackfillShard.BlockIds"/> snapshot ids) from one queue. Ignored (one worker) with <see cref="Limit"/>.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>Only this shard's work units, so several processes (or machines) can share one database; null for all.</summary>
    public BackfillShard? Shard { get; init; }
}

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (<c>--shard K/N</c>, 1-based on the command line): the snapshot ids
/// whose block of <see cref="BlockIds"/> ids has number ≡ K-1 (mod N). Blocks are fixed, so every process computes the
/// same disjoint shards whatever its other options.
/// </summary>
/// <param name="Index">0-based shard index.</param>
/// <param name="Count">Number of shards, at least 1.</param>
public readonly record struct BackfillShard(int Index, int Count)
{
    /// <summary>Snapshot ids per block: a work unit is one month's share of one block.</summary>
    public const long BlockIds = 10_000;

    /// <summary>Parses <c>K/N</c> with 1 ≤ K ≤ N; null with <paramref name="error"/> otherwise.</summary>
    public static BackfillShard? TryParse(string? text, out string? error)
    {
        var parts = (text ?? "").Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            && n >= 1 && k >= 1 && k <= n)
        {
            error = null;
            return new BackfillShard(k - 1, n);
        }

        error = $"'{text}' is not a shard: expected K/N with 1 <= K <= N, such as 1/2";
        return null;
    }

    /// <summary>Whether block <paramref name="block"/> belongs to this shard.</summary>
    public bool Owns(long block) => block % Count == Index;

    /// <summary><c>K/N</c>, 1-based.</summary>
    public override string ToString() => $"{Index + 1}/{Count}";
}
