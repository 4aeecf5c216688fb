using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace NetBet.Exchange.Stream;

/// <summary>
/// One connection to the fake stream: <c>connection</c> message, <c>authentication</c> (within 15 s),
/// <c>marketSubscription</c> (image or resume from <c>clk</c>), <c>heartbeat</c> ops, heartbeats when idle, and the
/// stream faults. A reader loop answers requests; one writer loop owns the socket's send side.
/// </summary>
internal sealed class StreamSession : IDisposable
{
    private static readonly TimeSpan AuthenticationTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan FaultConflation = TimeSpan.FromMilliseconds(250);
    private const int SegmentMarkets = 40;

    private readonly StreamServer _server;
    private readonly TcpClient _client;
    private readonly X509Certificate2 _certificate;
    private readonly Channel<object> _outgoing = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private Subscription? _subscription;
    private IDisposable? _feed;
    private bool _authenticated;

    public StreamSession(StreamServer server, TcpClient client, X509Certificate2 certificate, string connectionId)
    {
        _server = server;
        _client = client;
        _certificate = certificate;
        ConnectionId = connectionId;
    }

    public string ConnectionId { get; }

    /// <summary>Set by a test: the session sends nothing more, not even heartbeats.</summary>
    public bool Silenced { get; set; }

    public void Close()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        _feed?.Dispose();
        _client.Dispose();
        _closed.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var token = linked.Token;
        await using var tls = new SslStream(_client.GetStream(), leaveInnerStreamOpen: false);
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            handshake.CancelAfter(AuthenticationTimeout);
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, handshake.Token);
        }

        Send(writer =>
        {
            writer.WriteString("op"u8, "connection");
            writer.WriteString("connectionId"u8, ConnectionId);
        });
        var writing = WriteLoopAsync(tls, token);
        try
        {
            await ReadLoopAsync(tls, token);
        }
        finally
        {
            _outgoing.Writer.TryComplete();
            _feed?.Dispose();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task ReadLoopAsync(SslStream tls, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(tls, Encoding.UTF8, false, 4096, leaveOpen: true);
        using var authDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        authDeadline.CancelAfter(AuthenticationTimeout);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(_authenticated ? cancellationToken : authDeadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await FailAsync(null, "TIMEOUT", "authentication not received within 15 s");
                return;
            }

            if (line is null)
            {
                return;
            }

            if (line.Length == 0)
            {
                continue;
            }

            JsonDocument request;
            try
            {
                request = JsonDocument.Parse(line);
            }
            catch (JsonException)
            {
                await FailAsync(null, "INVALID_INPUT", "the request is not JSON");
                return;
            }

            using (request)
            {
                var root = request.RootElement;
                int? id = root.TryGetProperty("id", out var idValue) && idValue.TryGetInt32(out var i) ? i : null;
                var op = root.TryGetProperty("op", out var opValue) ? opValue.GetString() : null;
                if (!await HandleAsync(op, id, root))
                {
                    return;
                }
            }
        }
    }

    // False when the connection must close.
    private async Task<bool> HandleAsync(string? op, int? id, JsonElement request)
    {
        switch (op)
        {
            case "authentication":
                var appKey = request.TryGetProperty("appKey", out var key) ? key.GetString() : null;
                var session = request.TryGetProperty("session", out var token) ? token.GetString() : null;
                if (_server.Faults.StreamAuthFail)
                {
                    await FailAsync(id, "NOT_AUTHORIZED", "AppKey is not configured for service");
                    return false;
                }

                if (string.IsNullOrEmpty(appKey))
                {
                    await FailAsync(id, "NO_APP_KEY", "AppKey is not configured");
                    return false;
                }

                if (string.IsNullOrEmpty(session) || !_server.IsValidSession(session))
                {
                    await FailAsync(id, "INVALID_SESSION_INFORMATION", "session token is not valid or has expired");
                    return false;
                }

                _authenticated = true;
                SendStatus(id);
                return true;
            case "heartbeat":
                SendStatus(id);
                return true;
            case "marketSubscription" when !_authenticated:
                await FailAsync(id, "NO_SESSION", "authenticate first");
                return false;
            case "marketSubscription":
                Subscribe(id, request);
                return true;
            default:
                await FailAsync(id, "INVALID_REQUEST", $"unknown op '{op}'");
                return false;
        }
    }

    private void Subscribe(int? id, JsonElement request)
    {
        _feed?.Dispose();
        var subscription = Subscription.From(id, request);
        _subscription = subscription;
        SendStatus(id);
        long? resumeFrom = request.TryGetProperty("clk", out var clk) && clk.ValueKind == JsonValueKind.String
            && long.TryParse(clk.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : null;
        _feed = _server.Publisher.Subscribe(
            subscription.Selects,
            resumeFrom,
            start => _outgoing.Writer.TryWrite(new Start(subscription, start)),
            change => _outgoing.Writer.TryWrite(change));
    }

    private async Task FailAsync(int? id, string errorCode, string errorMessage)
    {
        Send(writer =>
        {
            writer.WriteString("op"u8, "status");
            if (id is { } i)
            {
                writer.WriteNumber("id"u8, i);
            }

            writer.WriteString("statusCode"u8, "FAILURE");
            writer.WriteString("errorCode"u8, errorCode);
            writer.WriteString("errorMessage"u8, errorMessage);
            writer.WriteBoolean("connectionClosed"u8, true);
            writer.WriteString("connectionId"u8, ConnectionId);
        });
        _outgoing.Writer.TryComplete();

        // Let the writer send the failure before the socket closes.
        await Task.Delay(50);
    }

    private void SendStatus(int? id) => Send(writer =>
    {
        writer.WriteString("op"u8, "status");
        if (id is { } i)
        {
            writer.WriteNumber("id"u8, i);
        }

        writer.WriteString("statusCode"u8, "SUCCESS");
        writer.WriteBoolean("connectionClosed"u8, false);
        writer.WriteNumber("connectionsAvailable"u8, 9);
    });

    private void Send(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        _outgoing.Writer.TryWrite(buffer.WrittenSpan.ToArray());
    }

    private async Task WriteLoopAsync(SslStream tls, CancellationToken cancellationToken)
    {
        var lastClk = 0L;
        while (true)
        {
            var heartbeat = TimeSpan.FromMilliseconds(_subscription?.HeartbeatMs ?? 5000);
            bool available;
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                idle.CancelAfter(heartbeat);
                try
                {
                    available = await _outgoing.Reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    if (_subscription is { } idleSubscription && !Silenced)
                    {
                        WriteHeartbeat(idleSubscription, lastClk);
                        await FlushAsync(tls, cancellationToken);
                    }

                    continue;
                }
            }

            if (!available)
            {
                return;
            }

            var conflate = _server.Faults.StreamConflate ? FaultConflation
                : _subscription is { ConflateMs: > 0 } s ? TimeSpan.FromMilliseconds(s.ConflateMs) : TimeSpan.Zero;
            if (conflate > TimeSpan.Zero && _outgoing.Reader.TryPeek(out var first) && first is PublishedChange)
            {
                await Task.Delay(conflate, cancellationToken);
            }

            List<PublishedChange>? pending = null;
            while (_outgoing.Reader.TryRead(out var item))
            {
                if (item is PublishedChange change && conflate > TimeSpan.Zero)
                {
                    (pending ??= []).Add(change);
                    continue;
                }

                lastClk = WritePending(pending, lastClk);
                pending = null;
                lastClk = WriteItem(item, lastClk);
            }

            lastClk = WritePending(pending, lastClk);
            if (!Silenced)
            {
                await FlushAsync(tls, cancellationToken);
            }
            else
            {
                _buffer.ResetWrittenCount();
            }
        }
    }

    private long WritePending(List<PublishedChange>? pending, long lastClk)
    {
        if (pending is null || _subscription is not { } subscription)
        {
            return lastClk;
        }

        var markets = pending.SelectMany(p => p.Markets).Where(m => subscription.Selects(m.Market)).ToList();
        var last = pending[^1];
        if (markets.Count > 0)
        {
            WriteChange(subscription, last.Sequence, last.PublishTime, markets, conflated: pending.Count > 1);
        }

        return last.Sequence;
    }

    private long WriteItem(object item, long lastClk)
    {
        switch (item)
        {
            case byte[] line:
                _buffer.Write(line);
                _buffer.Write("\r\n"u8);
                return lastClk;
            case Start start:
                return WriteStart(start);
            case PublishedChange change when _subscription is { } subscription:
                var markets = change.Markets.Where(m => subscription.Selects(m.Market)).ToList();
                if (markets.Count > 0)
                {
                    WriteChange(subscription, change.Sequence, change.PublishTime, markets, conflated: false);
                }

                return change.Sequence;
            default:
                return lastClk;
        }
    }

    private long WriteStart(Start start)
    {
        var (subscription, begin) = (start.Subscription, start.Begin);
        if (begin.Image is not { } image)
        {
            // Resuming: an empty RESUB_DELTA at the resumed clk's time, then every missed change as it was published,
            // so the client's view of exchange time never jumps and nothing is lost.
            WriteMessage(subscription, begin.Sequence, begin.PublishTime, "RESUB_DELTA", null, [], conflated: false);
            var last = begin.Sequence;
            foreach (var change in begin.Missed)
            {
                last = WriteItem(change, last);
            }

            return last;
        }

        var segmentSize = _server.Faults.StreamSegmented ? 2 : SegmentMarkets;
        if (!subscription.SegmentationEnabled || image.Count <= segmentSize)
        {
            WriteMessage(subscription, begin.Sequence, begin.PublishTime, "SUB_IMAGE", null, image, conflated: false, initialClk: true);
            return begin.Sequence;
        }

        var chunks = image.Chunk(segmentSize).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var segment = i == 0 ? "SEG_START" : i == chunks.Count - 1 ? "SEG_END" : "SEG";
            WriteMessage(subscription, begin.Sequence, begin.PublishTime, "SUB_IMAGE", segment, chunks[i], conflated: false, initialClk: true);
        }

        return begin.Sequence;
    }

    private void WriteChange(Subscription subscription, long sequence, long publishTime, IReadOnlyList<MarketChangeBytes> markets, bool conflated) =>
        WriteMessage(subscription, sequence, publishTime, null, null, markets, conflated);

    private void WriteHeartbeat(Subscription subscription, long lastClk) =>
        WriteMessage(subscription, lastClk, _server.Publisher.Now(), "HEARTBEAT", null, [], conflated: false);

    private void WriteMessage(Subscription subscription, long sequence, long publishTime, string? changeType, string? segmentType,
        IReadOnlyList<MarketChangeBytes> markets, bool conflated, bool initialClk = false)
    {
        using (var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("op"u8, "mcm");
            if (subscription.Id is { } id)
            {
                writer.WriteNumber("id"u8, id);
            }

            if (initialClk)
            {
                writer.WriteString("initialClk"u8, sequence.ToString(CultureInfo.InvariantCulture));
            }

            writer.WriteString("clk"u8, sequence.ToString(CultureInfo.InvariantCulture));
            if (changeType is "SUB_IMAGE")
            {
                writer.WriteNumber("conflateMs"u8, subscription.ConflateMs);
                writer.WriteNumber("heartbeatMs"u8, subscription.HeartbeatMs);
            }

            writer.WriteNumber("pt"u8, publishTime);
            if (changeType is not null)
            {
                writer.WriteString("ct"u8, changeType);
            }

            if (segmentType is not null)
            {
                writer.WriteString("segmentType"u8, segmentType);
            }

            if (conflated)
            {
                writer.WriteBoolean("con"u8, true);
            }

            if (_server.Faults.Stream503)
            {
                writer.WriteNumber("status"u8, 503);
            }

            if (markets.Count > 0 || changeType is "SUB_IMAGE")
            {
                writer.WriteStartArray("mc"u8);
                foreach (var market in markets)
                {
                    writer.WriteRawValue(market.Json, skipInputValidation: true);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        _buffer.Write("\r\n"u8);
    }

    private async Task FlushAsync(SslStream tls, CancellationToken cancellationToken)
    {
        if (_buffer.WrittenCount == 0)
        {
            return;
        }

        await tls.WriteAsync(_buffer.WrittenMemory, cancellationToken);
        await tls.FlushAsync(cancellationToken);
        _buffer.ResetWrittenCount();
    }

    private sealed record Start(Subscription Subscription, SubscriptionStart Begin);

    /// <summary>A <c>marketSubscription</c> request: its id, filter and rates (clamped to Betfair's bounds).</summary>
    private sealed record Subscription(int? Id, HashSet<string>? MarketIds, HashSet<string>? CountryCodes, bool Football, bool MatchOdds,
        int HeartbeatMs, int ConflateMs, bool SegmentationEnabled)
    {
        public bool Selects(SimulatedMarket market) =>
            Football && MatchOdds
            && (MarketIds is null || MarketIds.Contains(market.MarketId))
            && (CountryCodes is null || CountryCodes.Contains(market.Competition.CountryCode));

        public static Subscription From(int? id, JsonElement request)
        {
            var filter = request.TryGetProperty("marketFilter", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            HashSet<string>? Strings(string name) =>
                filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array
                    ? list.EnumerateArray().Select(e => e.GetString() ?? "").ToHashSet(StringComparer.Ordinal)
                    : null;
            int Rate(string name, int fallback, int min, int max) =>
                request.TryGetProperty(name, out var value) && value.TryGetInt32(out var ms) ? Math.Clamp(ms, min, max) : fallback;
            var eventTypes = Strings("eventTypeIds");
            var marketTypes = Strings("marketTypes");
            return new Subscription(
                id,
                Strings("marketIds"),
                Strings("countryCodes"),
                eventTypes is null || eventTypes.Contains("1"),
                marketTypes is null || marketTypes.Contains("MATCH_ODDS"),
                Rate("heartbeatMs", 5000, 500, 30_000),
                Rate("conflateMs", 0, 0, 120_000),
                request.TryGetProperty("segmentationEnabled", out var segmentation) && segmentation.ValueKind == JsonValueKind.True);
        }
    }
}
