namespace NetBet.Data.Backfill;

/// <summary>The outcome of one backfill, dry run or verify run.</summary>
public sealed class BackfillResult
{
    /// <summary>Most error and drift details kept for the report; the counts stay exact beyond it.</summary>
    public const int MaxDetails = 1000;

    /// <summary>The metric columns the run covered, in canonical order.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>Candidate rows (capped by the limit), counted beside the first batches: the progress total.</summary>
    public long Total { get; set; }

    /// <summary>Candidate rows read and computed.</summary>
    public long Processed { get; set; }

    /// <summary>Rows that had at least one NULL chosen column filled (dry run: would be).</summary>
    public long Updated { get; set; }

    /// <summary>Rows the engine writes no row for (no payload, no roles, ...).</summary>
    public long Skipped { get; set; }

    /// <summary>Rows whose payload could not be read.</summary>
    public long Errors { get; set; }

    /// <summary>Skipped rows by reason, such as <c>no roles for the market</c>.</summary>
    public Dictionary<string, long> SkipReasons { get; } = new(StringComparer.Ordinal);

    /// <summary>Up to ten snapshot ids per skip reason, for the log and the report.</summary>
    public Dictionary<string, List<long>> SkipExamples { get; } = new(StringComparer.Ordinal);

    /// <summary>The first <see cref="MaxDetails"/> errors: snapshot id and what was wrong.</summary>
    public List<BackfillError> ErrorDetails { get; } = [];

    /// <summary>Dry run: per chosen column, how many NULL values the run would fill.</summary>
    public Dictionary<string, long> WouldFill { get; } = new(StringComparer.Ordinal);

    /// <summary>Dry run: a few rows with values the run would write.</summary>
    public List<BackfillSample> Samples { get; } = [];

    /// <summary>Verify: stored values that differ from the engine's (first <see cref="MaxDetails"/>).</summary>
    public List<BackfillDrift> Drift { get; } = [];

    /// <summary>Verify: number of drifting values, all of them.</summary>
    public long DriftCount { get; set; }

    /// <summary>Verify: number of stored values compared.</summary>
    public long Compared { get; set; }

    /// <summary>The run stopped early on cancellation; every counted batch was committed.</summary>
    public bool Interrupted { get; set; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Time spent waiting for batches to arrive (reads overlap computing and writing).</summary>
    public TimeSpan ReadWait { get; set; }

    /// <summary>Time spent computing batches.</summary>
    public TimeSpan ComputeTime { get; set; }

    /// <summary>Time spent waiting for batch writes (COPY, UPDATE, COMMIT) after the next batch was computed.</summary>
    public TimeSpan WriteTime { get; set; }

    /// <summary>The summary line every run ends with.</summary>
    public string SummaryLine =>
        $"Backfill complete: {Processed} processed, {Updated} updated, {Skipped} skipped, {Errors} errors";
}

/// <summary>A row whose payload could not be read.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="Message">What was wrong and where in the JSON.</param>
public sealed record BackfillError(long SnapshotId, string Message);

/// <summary>A row a dry run would fill.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="MarketId">Its market.</param>
/// <param name="SnapshotAt">When it was taken.</param>
/// <param name="Values">The values that would be written, by column name (NULL columns only).</param>
public sealed record BackfillSample(long SnapshotId, string MarketId, DateTimeOffset SnapshotAt, IReadOnlyList<KeyValuePair<string, double>> Values);

/// <summary>A stored value that differs from what the engine computes now.</summary>
/// <param name="SnapshotId">The snapshot.</param>
/// <param name="Column">The metric column.</param>
/// <param name="Stored">The stored value.</param>
/// <param name="Engine">The engine's value; null when the engine has none.</param>
public sealed record BackfillDrift(long SnapshotId, string Column, double Stored, double? Engine);

/// <summary>Progress after each committed batch.</summary>
/// <param name="Batch">Batch number, from 1.</param>
/// <param name="Processed">Rows processed so far.</param>
/// <param name="Total">Candidate rows counted when the run started (a batch is reported once the count is in).</param>
/// <param name="LastSnapshotId">The batch's last snapshot id (the resume key).</param>
/// <param name="Elapsed">Time since the run started.</param>
public readonly record struct BackfillProgress(int Batch, long Processed, long Total, long LastSnapshotId, TimeSpan Elapsed)
{
    /// <summary>Rows per second so far.</summary>
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Processed / Elapsed.TotalSeconds : 0;
}
