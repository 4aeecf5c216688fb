using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;

namespace NetBet.Ingest.Streaming;

/// <summary>
/// The stream recorder's capture step: a rendered listMarketBook MarketBook, its roles and its snapshot time become
/// the stored snapshot with the derived row computed from exactly those bytes (so a backfill re-reading
/// <c>raw_payload</c> agrees), or a skip reason when no derived row can be computed. The only place the recorder
/// turns bytes into rows: swap it for the shared capture step in one place.
/// </summary>
internal static class StreamCapture
{
    /// <summary><c>capture_version</c> of recorded snapshots: the stream rebuild and rendering of <c>stream_v1</c>.</summary>
    public const string CaptureVersion = "stream_v1";

    public static (SnapshotRecord Record, string? SkipReason) Capture(string marketId, ReadOnlySpan<byte> payload, RunnerRoles roles, DateTimeOffset at)
    {
        var book = MarketBookReader.Read(payload);
        var result = MetricEngine.Compute(book, roles);
        var record = new SnapshotRecord(marketId, at)
        {
            RawPayload = Encoding.UTF8.GetString(payload),
            TotalMatched = book.TotalMatched,
            Inplay = book.Inplay,
            Status = book.Status,
            DepthLimit = null, // the stream's full depth
            Source = SnapshotSources.ExchangeStream,
            CaptureVersion = CaptureVersion,
            Derived = result.Row,
        };
        return (record, result.Skip?.Describe());
    }
}
