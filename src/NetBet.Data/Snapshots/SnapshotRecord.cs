using NetBet.Core.Metrics;

namespace NetBet.Data.Snapshots;

/// <summary>Values of <c>market_book_snapshots.source</c>.</summary>
public static class SnapshotSources
{
    /// <summary>Polled with the REST listMarketBook call (the column default).</summary>
    public const string RestListMarketBook = "rest_listMarketBook";

    /// <summary>Rebuilt from a Betfair historical stream file.</summary>
    public const string HistoricalStream = "historical_stream";

    /// <summary>Recorded live from the Betfair Exchange Stream API (<c>netbet ingest stream</c>).</summary>
    public const string ExchangeStream = "exchange_stream";
}

/// <summary>
/// One <c>market_book_snapshots</c> row (layer 1) and, optionally, its <c>market_derived_metrics</c> row (layer 2).
/// (<see cref="MarketId"/>, <see cref="SnapshotAt"/>) identifies it: a second snapshot with the same pair, in the
/// database or earlier in the same batch, is skipped and counted as a duplicate. PostgreSQL keeps microseconds,
/// so times that differ by less than a microsecond are the same snapshot.
/// </summary>
/// <param name="MarketId">Betfair market id; its metadata must be in the same batch or already stored.</param>
/// <param name="SnapshotAt">Capture time.</param>
public sealed record SnapshotRecord(string MarketId, DateTimeOffset SnapshotAt)
{
    /// <summary><c>raw_payload</c>: the MarketBook JSON text as received; must be valid JSON. Null stores NULL.</summary>
    public string? RawPayload { get; init; }

    /// <summary><c>total_matched</c>: the market's totalMatched.</summary>
    public double? TotalMatched { get; init; }

    /// <summary><c>inplay</c>.</summary>
    public bool? Inplay { get; init; }

    /// <summary><c>status</c>: OPEN, SUSPENDED, CLOSED, ...</summary>
    public string? Status { get; init; }

    /// <summary><c>depth_limit</c>: ladder depth the capture asked for.</summary>
    public int? DepthLimit { get; init; }

    /// <summary><c>source</c>; see <see cref="SnapshotSources"/>.</summary>
    public string Source { get; init; } = SnapshotSources.RestListMarketBook;

    /// <summary><c>capture_version</c>.</summary>
    public string CaptureVersion { get; init; } = "v1";

    /// <summary>
    /// The derived row to store with the snapshot (written with <see cref="MetricColumns.DepthLimit"/> and
    /// <see cref="MetricColumns.CalculationVersion"/>); null writes none. Ignored when the snapshot is a duplicate.
    /// </summary>
    public DerivedRow? Derived { get; init; }
}

/// <summary>What one <see cref="SnapshotWriter.WriteAsync"/> call stores, in one transaction.</summary>
/// <param name="Metadata">Metadata upserts; several rows for one market are merged, later non-null values winning.</param>
/// <param name="Snapshots">Snapshots with their derived rows.</param>
public sealed record SnapshotBatch(IReadOnlyList<MarketMetadata> Metadata, IReadOnlyList<SnapshotRecord> Snapshots)
{
    /// <summary>A batch of snapshots whose markets are already stored.</summary>
    public SnapshotBatch(IReadOnlyList<SnapshotRecord> snapshots)
        : this([], snapshots)
    {
    }
}

/// <summary>Counts of one write.</summary>
/// <param name="MetadataUpserted">Metadata rows inserted or updated.</param>
/// <param name="SnapshotsInserted">New snapshot rows.</param>
/// <param name="DuplicateSnapshots">Snapshots skipped because their (market_id, snapshot_at) was already stored or came earlier in the batch.</param>
/// <param name="DerivedRowsInserted">Derived rows written (only for inserted snapshots).</param>
public readonly record struct SnapshotWriteResult(int MetadataUpserted, int SnapshotsInserted, int DuplicateSnapshots, int DerivedRowsInserted);

/// <summary>Snapshots refer to markets whose metadata is neither in the batch nor in the database.</summary>
public sealed class MissingMarketMetadataException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MissingMarketMetadataException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MissingMarketMetadataException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public MissingMarketMetadataException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the markets.</summary>
    public MissingMarketMetadataException(IReadOnlyList<string> marketIds)
        : base($"snapshots refer to {marketIds.Count} market(s) with no metadata in the batch or the database: " +
            string.Join(", ", marketIds.Take(10)) + (marketIds.Count > 10 ? ", ..." : ""))
    {
        MarketIds = marketIds;
    }

    /// <summary>The market ids without metadata.</summary>
    public IReadOnlyList<string> MarketIds { get; } = [];
}
