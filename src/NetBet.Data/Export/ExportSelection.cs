using NetBet.Data.Queries;

namespace NetBet.Data.Export;

/// <summary>
/// Which snapshots an export reads: some markets, or one league, or every market, within a snapshot-time window;
/// with <see cref="Bucket"/>, only the last snapshot of each bucket per market (as the API's timeseries).
/// </summary>
/// <param name="MarketIds">Only these markets; null for any.</param>
/// <param name="League">Only markets of this league key (as <c>/api/leagues</c> gives it); null for any.</param>
/// <param name="Window">Snapshot time window; open ends cover the whole history.</param>
/// <param name="Bucket">Bucket length, positive; null for every snapshot.</param>
public sealed record ExportSelection(IReadOnlyList<string>? MarketIds, string? League, TimeWindow Window, TimeSpan? Bucket = null);

/// <summary>Counters of a running export, updated as rows are read; read them from another thread for progress.</summary>
public sealed class ExportCounters
{
    private long _rows;
    private long _snapshots;
    private long _unreadable;

    /// <summary>Rows handed to the writer.</summary>
    public long Rows => Interlocked.Read(ref _rows);

    /// <summary>Snapshots read.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    /// <summary>Snapshots whose raw payload could not be read (ladder exports only); they give no rows.</summary>
    public long Unreadable => Interlocked.Read(ref _unreadable);

    /// <summary>The first unreadable payload: its snapshot id and what was wrong where.</summary>
    public string? FirstError { get; private set; }

    internal void AddRows(long count) => Interlocked.Add(ref _rows, count);

    internal void AddSnapshot() => Interlocked.Increment(ref _snapshots);

    internal void AddUnreadable(string error)
    {
        if (Interlocked.Increment(ref _unreadable) == 1)
        {
            FirstError = error;
        }
    }
}
