using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;

namespace NetBet.Ingest.Capture;

/// <summary>
/// The one capture step of every way NetBet records books (the poller, the historical importer and any later
/// recorder): read a MarketBook's bytes, compute the derived row from exactly those bytes, and build the
/// <see cref="SnapshotRecord"/> that stores the same bytes. Books that cannot be stored are counted by reason
/// (<see cref="Skipped"/>), stored books without a derived row by the engine's reason (<see cref="NoDerivedRow"/>).
/// One instance per tick or run; not thread-safe.
/// </summary>
public sealed class SnapshotCapture
{
    /// <summary>Skip reason of a book <see cref="MarketBookReader"/> rejects.</summary>
    public const string UnreadableBook = "unreadable book";

    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _noDerivedRow = new(StringComparer.Ordinal);

    /// <summary>Creates a capture step for one source.</summary>
    /// <param name="source"><c>source</c> of every snapshot (<see cref="SnapshotSources"/>).</param>
    /// <param name="captureVersion"><c>capture_version</c> of every snapshot.</param>
    public SnapshotCapture(string source, string captureVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(captureVersion);
        Source = source;
        CaptureVersion = captureVersion;
    }

    /// <summary>The <c>source</c> written with every snapshot.</summary>
    public string Source { get; }

    /// <summary>The <c>capture_version</c> written with every snapshot.</summary>
    public string CaptureVersion { get; }

    /// <summary>Books or markets not stored, by reason: this step's own and those the caller counted with <see cref="Skip"/>.</summary>
    public IReadOnlyDictionary<string, int> Skipped => _skipped;

    /// <summary>Snapshots built without a derived row, by the engine's skip reason.</summary>
    public IReadOnlyDictionary<string, int> NoDerivedRow => _noDerivedRow;

    /// <summary>
    /// Snapshot times as PostgreSQL keeps them (microseconds), so the time a caller reports or spools is the one
    /// stored and (market, time) stays the identity of a snapshot through a replay.
    /// </summary>
    public static DateTimeOffset StoredPrecision(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>
    /// <paramref name="snapshot"/> with the derived row computed again from its own raw payload (a spooled snapshot
    /// being replayed): the same bytes and the same engine give the row the capture computed. No row when the
    /// payload is missing, unreadable or skipped by the engine.
    /// </summary>
    public static SnapshotRecord WithDerivedRow(SnapshotRecord snapshot, RunnerRoles roles)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(roles);
        if (snapshot.RawPayload is not { } raw)
        {
            return snapshot with { Derived = null };
        }

        try
        {
            return snapshot with { Derived = MetricEngine.Compute(MarketBookReader.Read(Encoding.UTF8.GetBytes(raw)), roles).Row };
        }
        catch (MarketBookFormatException)
        {
            return snapshot with { Derived = null };
        }
    }

    /// <summary>Counts a market or book the caller did not pass to <see cref="Capture"/>, under <paramref name="reason"/>.</summary>
    public void Skip(string reason, int count = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        _skipped[reason] = _skipped.GetValueOrDefault(reason) + count;
    }

    /// <summary>
    /// Captures one book: the snapshot with its derived row (null when the engine skips it, the reason counted),
    /// or no snapshot when the bytes are not a readable MarketBook (counted as <see cref="UnreadableBook"/>).
    /// </summary>
    /// <param name="marketId">The market the book belongs to.</param>
    /// <param name="marketBook">The MarketBook JSON, UTF-8; stored verbatim as <c>raw_payload</c>.</param>
    /// <param name="roles">The market's home/away/draw selections.</param>
    /// <param name="snapshotAt">The snapshot time (stored at microsecond precision).</param>
    public CaptureOutcome Capture(string marketId, ReadOnlySpan<byte> marketBook, RunnerRoles roles, DateTimeOffset snapshotAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(marketId);
        ArgumentNullException.ThrowIfNull(roles);
        MarketBook book;
        try
        {
            book = MarketBookReader.Read(marketBook);
        }
        catch (MarketBookFormatException e)
        {
            Skip(UnreadableBook);
            return new CaptureOutcome(null, e.Message);
        }

        // The derived row comes from exactly the stored bytes, so a later backfill re-reading raw_payload agrees.
        var result = MetricEngine.Compute(book, roles);
        if (result.Skip is { } reason)
        {
            var text = reason.Describe();
            _noDerivedRow[text] = _noDerivedRow.GetValueOrDefault(text) + 1;
        }

        return new CaptureOutcome(new SnapshotRecord(marketId, StoredPrecision(snapshotAt))
        {
            RawPayload = Encoding.UTF8.GetString(marketBook),
            TotalMatched = book.TotalMatched,
            Inplay = book.Inplay,
            Status = book.Status,
            DepthLimit = null, // every capture keeps the whole ladder it was given
            Source = Source,
            CaptureVersion = CaptureVersion,
            Derived = result.Row,
        }, null);
    }
}

/// <summary>What <see cref="SnapshotCapture.Capture"/> made of one book.</summary>
/// <param name="Snapshot">The snapshot to store, or null when the book was skipped.</param>
/// <param name="Problem">Why the book was skipped, for the caller's log or error report; null when stored.</param>
public readonly record struct CaptureOutcome(SnapshotRecord? Snapshot, string? Problem);
