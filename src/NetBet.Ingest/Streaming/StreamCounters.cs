using NetBet.Core.Stream;

namespace NetBet.Ingest.Streaming;

/// <summary>What a stream client received so far. Written by the reading thread, read by anyone.</summary>
public sealed class StreamCounters
{
    private long _messages, _updates, _heartbeats, _conflated, _stale, _reconnects, _errors, _lastPublishTime, _lastReceivedTicks;
    private string? _clk, _initialClk;

    /// <summary><c>mcm</c> messages received (segments and heartbeats included).</summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>Ladder elements applied.</summary>
    public long Updates => Volatile.Read(ref _updates);

    /// <summary>Heartbeat <c>mcm</c>s received.</summary>
    public long Heartbeats => Volatile.Read(ref _heartbeats);

    /// <summary>Messages marked <c>con: true</c> (the server conflated changes).</summary>
    public long Conflated => Volatile.Read(ref _conflated);

    /// <summary>Messages with <c>status: 503</c> (the server's data may be stale).</summary>
    public long Stale => Volatile.Read(ref _stale);

    /// <summary>Reconnects (every connection after the first).</summary>
    public long Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Messages that could not be read.</summary>
    public long Errors => Volatile.Read(ref _errors);

    /// <summary>The latest <c>pt</c>, ms since the Unix epoch; 0 before any.</summary>
    public long LastPublishTime => Volatile.Read(ref _lastPublishTime);

    /// <summary>When the latest message arrived (local clock); null before any.</summary>
    public DateTimeOffset? LastReceivedAt => Volatile.Read(ref _lastReceivedTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

    /// <summary>The latest <c>clk</c>.</summary>
    public string? Clk => Volatile.Read(ref _clk);

    /// <summary>The latest <c>initialClk</c>.</summary>
    public string? InitialClk => Volatile.Read(ref _initialClk);

    /// <summary>The server's id of the current connection.</summary>
    public string? ConnectionId { get; internal set; }

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddError() => Interlocked.Increment(ref _errors);

    internal void Received(StreamApplyResult result, StreamCache cache, DateTimeOffset now)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _updates, result.Updates);
        if (result.ChangeType == StreamChangeType.Heartbeat)
        {
            Interlocked.Increment(ref _heartbeats);
        }

        if (result.Conflated)
        {
            Interlocked.Increment(ref _conflated);
        }

        if (result.Status == 503)
        {
            Interlocked.Increment(ref _stale);
        }

        if (result.PublishTime is { } pt && pt > _lastPublishTime)
        {
            Volatile.Write(ref _lastPublishTime, pt);
        }

        Volatile.Write(ref _lastReceivedTicks, now.UtcTicks);
        Volatile.Write(ref _clk, cache.Clk);
        Volatile.Write(ref _initialClk, cache.InitialClk);
    }
}
