namespace NetBet.Ingest.Import;

/// <summary>Per-run choices of <c>netbet ingest import</c>.</summary>
public sealed record ImportOptions
{
    /// <summary><c>capture_version</c> of imported snapshots: the stream rebuild and MarketBook rendering, version 1.</summary>
    public const string DefaultCaptureVersion = "stream_v1";

    /// <summary>Exchange time between snapshots of one market (<c>--every</c>).</summary>
    public TimeSpan Every { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Keep any market whose roles map by sortPriority, not only football MATCH_ODDS (<c>--all-markets</c>).</summary>
    public bool AllMarkets { get; init; }

    /// <summary>Snapshots per database transaction (<c>--batch-size</c>).</summary>
    public int BatchSize { get; init; } = 2000;

    /// <summary>
    /// Payload bytes (UTF-8 MarketBook JSON) of all batches in memory together (being built, queued, being written):
    /// each lane hands its batch on at its share, even before <see cref="BatchSize"/> snapshots, so batches of very
    /// large books never pile up in memory.
    /// </summary>
    public long BatchBytes { get; init; } = 64L << 20;

    /// <summary>Files parsed side by side, each by one lane from start to end.</summary>
    public int Lanes { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>Batches written side by side, each on its own connection and in its own transaction.</summary>
    public int Writers { get; init; } = 2;

    /// <summary>
    /// The live recorder's grid instead of "first message per interval" (<c>--carry-forward</c>): a snapshot per market
    /// at every multiple of <see cref="Every"/> from its first message to its close or the end of its file, the book
    /// carried forward, plus one per status change (<see cref="NetBet.Core.Stream.GridSampler"/>).
    /// </summary>
    public bool CarryForward { get; init; }

    /// <summary><c>capture_version</c> written with every snapshot.</summary>
    public string CaptureVersion { get; init; } = DefaultCaptureVersion;
}
