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
}
