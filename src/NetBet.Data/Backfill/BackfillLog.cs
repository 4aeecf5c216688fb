using Microsoft.Extensions.Logging;

namespace NetBet.Data.Backfill;

/// <summary>Per-row log messages of the backfill: ids and reasons, never payloads.</summary>
internal static partial class BackfillLog
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "snapshot {SnapshotId}: {Message}")]
    public static partial void UnreadablePayload(ILogger logger, long snapshotId, string message);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "snapshot {SnapshotId}: skipped, {Reason}")]
    public static partial void SkippedRow(ILogger logger, long snapshotId, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "snapshot {SnapshotId}: {Column} drifted, stored {Stored}, engine {Engine}")]
    public static partial void Drift(ILogger logger, long snapshotId, string column, double stored, double? engine);
}
