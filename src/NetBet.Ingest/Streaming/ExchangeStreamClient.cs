using System.Buffers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetBet.Core.Stream;
using NetBet.Ingest.Betfair;

namespace NetBet.Ingest.Streaming;

/// <summary>Receives what an <see cref="ExchangeStreamClient"/> reads, on its reading thread, one message at a time.</summary>
public interface IStreamListener
{
    /// <summary>A complete <c>mcm</c> with a <c>pt</c> is about to change the cache, which still shows the book before it.</summary>
    /// <param name="message">The message's <c>pt</c> and <c>ct</c>.</param>
    void BeforeApply(StreamApplyResult message);

    /// <summary>An <c>mcm</c> line was applied (each segment of a segmented message too).</summary>
    /// <param name="line">The line as received, without CRLF.</param>
    /// <param name="result">What applying it did.</param>
    void Applied(ReadOnlySpan<byte> line, StreamApplyResult result);

    /// <summary>The connection was lost; a reconnect follows unless the run is over.</summary>
    void Disconnected();
}

/// <summary>The stream refused the credentials or the subscription for good (exit code 4).</summary>
/// <param name="errorCode">Betfair's <c>errorCode</c>, such as <c>NOT_AUTHORIZED</c>.</param>
/// <param name="message">Betfair's <c>errorMessage</c>.</param>
public sealed class StreamRefusedException(string errorCode, string? message)
    : Exception($"the stream refused the connection: {errorCode}{(string.IsNullOrEmpty(message) ? "" : $" ({message})")}")
{
    /// <summary>Betfair's error code.</summary>
    public string ErrorCode { get; } = errorCode;
}

/// <summary>
/// A client of the Betfair Exchange Stream API that never gives up on a transient fault: TLS connect, the
/// <c>connection</c> message, <c>authentication</c>, <c>marketSubscription</c>, then every <c>mcm</c> applied to
/// <see cref="Cache"/> (images, deltas, segments, heartbeats) and handed to the listener. It reconnects on a closed
/// socket, an error, a FAILURE status or silence for twice <c>heartbeatMs</c>, with jittered capped backoff; logs in
/// again when the stream says the session is gone; and resubscribes with the latest <c>initialClk</c> and <c>clk</c>
/// so the server can send only what was missed. Permanent refusals throw <see cref="StreamRefusedException"/>.
/// </summary>
public sealed partial class ExchangeStreamClient
{
    private static readonly HashSet<string> PermanentErrors =
        ["NOT_AUTHORIZED", "INVALID_APP_KEY", "NO_APP_KEY", "SUBSCRIPTION_LIMIT_EXCEEDED", "MAX_CONNECTION_LIMIT_EXCEEDED"];

    private static readonly HashSet<string> SessionErrors = ["INVALID_SESSION_INFORMATION", "NO_SESSION"];

    private readonly StreamOptions _options;
    private readonly BetfairClient _betfair;
    private readonly IStreamListener _listener;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<StreamApplyResult> _beforeApply;
    private int _nextId = 1;

    /// <summary>Creates a client; nothing connects until <see cref="RunAsync"/>.</summary>
    public ExchangeStreamClient(StreamOptions options, BetfairClient betfair, StreamCache cache, IStreamListener listener,
        ILogger<ExchangeStreamClient> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(listener);
        _options = options;
        _betfair = betfair;
        Cache = cache;
        _listener = listener;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _beforeApply = listener.BeforeApply;
    }

    /// <summary>The rebuilt markets; read it only from the listener's callbacks or after <see cref="RunAsync"/> ended.</summary>
    public StreamCache Cache { get; }

    /// <summary>Counts of what was received so far; safe to read from any thread.</summary>
    public StreamCounters Counters { get; } = new();

    /// <summary>Runs until <paramref name="cancellationToken"/> fires (then returns normally).</summary>
    /// <exception cref="StreamRefusedException">A permanent refusal (credentials, app key, limits).</exception>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var extraCa = _options.ExtraCaPath is { } path ? X509CertificateLoader.LoadCertificateFromFile(path) : null;
        var failures = 0;
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!first)
            {
                Counters.AddReconnect();
            }

            first = false;
            var outcome = ConnectionOutcome.Failed;
            try
            {
                await using var connection = await ConnectAsync(extraCa, cancellationToken);
                outcome = await RunConnectionAsync(connection, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or SocketException or AuthenticationException or TimeoutException
                or InvalidDataException or BetfairUnavailableException or OperationCanceledException
                or BetfairApiException { IsCredentialsRefused: false })
            {
                Log.ConnectionFailed(_logger, e.GetType().Name, e.Message);
            }

            _listener.Disconnected();
            if (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            failures = outcome == ConnectionOutcome.Streamed ? 0 : failures + 1;
            var delay = Backoff(failures);
            Log.Reconnecting(_logger, outcome.ToString(), delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        // Full-size first wait only after a failure; a connection that streamed reconnects almost at once.
        var ceiling = failures == 0
            ? _options.ReconnectBaseDelay / 4
            : TimeSpan.FromTicks(Math.Min(_options.ReconnectMaxDelay.Ticks, _options.ReconnectBaseDelay.Ticks << Math.Min(failures - 1, 20)));
        return ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    private async Task<StreamConnection> ConnectAsync(X509Certificate2? extraCa, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            return await StreamConnection.ConnectAsync(_options.Host, _options.Port, extraCa, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no TLS connection to {_options.Host}:{_options.Port} within {_options.RequestTimeout.TotalSeconds:0} s");
        }
    }

    private async Task<ConnectionOutcome> RunConnectionAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        using (var hello = await ReadControlAsync(connection, cancellationToken))
        {
            if (Op(hello) != "connection")
            {
                throw new InvalidDataException("the stream did not start with a connection message");
            }

            Counters.ConnectionId = hello.RootElement.TryGetProperty("connectionId", out var id) ? id.GetString() : null;
        }

        var session = await _betfair.GetSessionTokenAsync(cancellationToken);
        await connection.WriteLineAsync(Authentication(session), cancellationToken);
        using (var status = await ReadControlAsync(connection, cancellationToken))
        {
            if (await CheckStatusAsync(status.RootElement, session, cancellationToken) is { } failed)
            {
                return failed;
            }
        }

        await connection.WriteLineAsync(Subscription(), cancellationToken);
        return await StreamAsync(connection, session, cancellationToken);
    }

    private async Task<ConnectionOutcome> StreamAsync(StreamConnection connection, string session, CancellationToken cancellationToken)
    {
        var heartbeat = TimeSpan.FromMilliseconds(Math.Clamp(_options.HeartbeatMs, 500, 30_000));
        var streamed = false;
        var pending = connection.ReadLineAsync(cancellationToken);
        while (true)
        {
            (bool Found, ReadOnlyMemory<byte> Line) read;
            if (pending.IsCompleted)
            {
                read = await pending;
            }
            else
            {
                var task = pending.AsTask();
                if (!await WaitAsync(task, heartbeat, cancellationToken))
                {
                    // Idle for a heartbeat interval: ask the server to answer; a second silent interval means dead.
                    await connection.WriteLineAsync(Heartbeat(), cancellationToken);
                    if (!await WaitAsync(task, heartbeat, cancellationToken))
                    {
                        Log.Silent(_logger, heartbeat.TotalMilliseconds * 2);
                        return streamed ? ConnectionOutcome.Streamed : ConnectionOutcome.Silent;
                    }
                }

                read = await task;
            }

            if (!read.Found)
            {
                return streamed ? ConnectionOutcome.Streamed : ConnectionOutcome.Closed;
            }

            if (!read.Line.IsEmpty && !Handle(read.Line.Span, ref streamed) && await HandleControlAsync(read.Line, session, cancellationToken) is { } end)
            {
                return streamed && end != ConnectionOutcome.SessionRenewed ? ConnectionOutcome.Streamed : end;
            }

            pending = connection.ReadLineAsync(cancellationToken);
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var completed = await Task.WhenAny(task, Task.Delay(timeout, delay.Token));
        await delay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        return completed == task;
    }

    // True when the line was an mcm (applied); false for a control message the caller reads.
    private bool Handle(ReadOnlySpan<byte> line, ref bool streamed)
    {
        StreamApplyResult result;
        try
        {
            result = Cache.Apply(line, _beforeApply);
        }
        catch (StreamFormatException e)
        {
            Counters.AddError();
            Log.BadMessage(_logger, e.Message);
            return true;
        }

        if (!result.IsMarketChangeMessage)
        {
            return false;
        }

        streamed = true;
        Counters.Received(result, Cache, _time.GetUtcNow());
        _listener.Applied(line, result);
        return true;
    }

    // Null to keep reading; otherwise the connection is over.
    private async Task<ConnectionOutcome?> HandleControlAsync(ReadOnlyMemory<byte> line, string session, CancellationToken cancellationToken)
    {
        using var message = JsonDocument.Parse(line);
        return Op(message) == "status" ? await CheckStatusAsync(message.RootElement, session, cancellationToken) : null;
    }

    // Null for SUCCESS; throws for a permanent refusal; otherwise how the connection ended.
    private async Task<ConnectionOutcome?> CheckStatusAsync(JsonElement status, string session, CancellationToken cancellationToken)
    {
        if (!status.TryGetProperty("statusCode", out var code) || code.GetString() == "SUCCESS")
        {
            return null;
        }

        var errorCode = status.TryGetProperty("errorCode", out var error) ? error.GetString() ?? "UNKNOWN" : "UNKNOWN";
        var errorMessage = status.TryGetProperty("errorMessage", out var text) ? text.GetString() : null;
        Log.Failure(_logger, errorCode, errorMessage ?? "");
        if (PermanentErrors.Contains(errorCode))
        {
            throw new StreamRefusedException(errorCode, errorMessage);
        }

        if (SessionErrors.Contains(errorCode))
        {
            await _betfair.RenewSessionAsync(session, cancellationToken);
            return ConnectionOutcome.SessionRenewed;
        }

        return ConnectionOutcome.Failed;
    }

    private async Task<JsonDocument> ReadControlAsync(StreamConnection connection, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        var task = connection.ReadLineAsync(cancellationToken).AsTask();
        if (!await WaitAsync(task, _options.RequestTimeout, cancellationToken))
        {
            throw new TimeoutException($"no answer from the stream within {_options.RequestTimeout.TotalSeconds:0} s");
        }

        var (found, line) = await task;
        return found ? JsonDocument.Parse(line) : throw new IOException("the stream closed the connection");
    }

    private static string? Op(JsonDocument message) =>
        message.RootElement.ValueKind == JsonValueKind.Object && message.RootElement.TryGetProperty("op", out var op) ? op.GetString() : null;

    private byte[] Authentication(string session) => Json(json =>
    {
        json.WriteString("op"u8, "authentication");
        json.WriteNumber("id"u8, _nextId++);
        json.WriteString("appKey"u8, _betfair.AppKey);
        json.WriteString("session"u8, session);
    });

    private byte[] Heartbeat() => Json(json =>
    {
        json.WriteString("op"u8, "heartbeat");
        json.WriteNumber("id"u8, _nextId++);
    });

    private byte[] Subscription() => Json(json =>
    {
        json.WriteString("op"u8, "marketSubscription");
        json.WriteNumber("id"u8, _nextId++);
        if (Cache.InitialClk is { } initialClk && Cache.Clk is { } clk)
        {
            json.WriteString("initialClk"u8, initialClk);
            json.WriteString("clk"u8, clk);
        }

        json.WriteBoolean("segmentationEnabled"u8, true);
        json.WriteNumber("heartbeatMs"u8, Math.Clamp(_options.HeartbeatMs, 500, 30_000));
        json.WriteNumber("conflateMs"u8, Math.Clamp(_options.ConflateMs, 0, 120_000));
        json.WriteStartObject("marketFilter"u8);
        WriteStrings(json, "eventTypeIds"u8, ["1"]);
        WriteStrings(json, "marketTypes"u8, ["MATCH_ODDS"]);
        if (_options.CountryCodes.Count > 0)
        {
            WriteStrings(json, "countryCodes"u8, _options.CountryCodes);
        }

        if (_options.MarketIds.Count > 0)
        {
            WriteStrings(json, "marketIds"u8, _options.MarketIds);
        }

        json.WriteEndObject();
        json.WriteStartObject("marketDataFilter"u8);
        WriteStrings(json, "fields"u8, ["EX_ALL_OFFERS", "EX_TRADED", "EX_TRADED_VOL", "EX_LTP", "EX_MARKET_DEF"]);
        json.WriteEndObject();
    });

    private static void WriteStrings(Utf8JsonWriter json, ReadOnlySpan<byte> name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private enum ConnectionOutcome
    {
        /// <summary>Market data arrived before the connection ended: reconnect at once.</summary>
        Streamed,
        /// <summary>Closed before any market data.</summary>
        Closed,
        /// <summary>Silent for twice the heartbeat interval before any market data.</summary>
        Silent,
        /// <summary>The session expired and a new one was obtained: reconnect at once.</summary>
        SessionRenewed,
        /// <summary>A failure status or an error.</summary>
        Failed,
    }

    private static partial class Log
    {
        [LoggerMessage(5401, LogLevel.Warning, "Stream connection failed: {Kind}: {Reason}")]
        public static partial void ConnectionFailed(ILogger logger, string kind, string reason);

        [LoggerMessage(5402, LogLevel.Information, "Stream connection ended ({Outcome}); reconnecting in {DelayMs:0} ms")]
        public static partial void Reconnecting(ILogger logger, string outcome, double delayMs);

        [LoggerMessage(5403, LogLevel.Warning, "Stream silent for {Ms:0} ms: reconnecting")]
        public static partial void Silent(ILogger logger, double ms);

        [LoggerMessage(5404, LogLevel.Warning, "Stream status FAILURE: {ErrorCode} {ErrorMessage}")]
        public static partial void Failure(ILogger logger, string errorCode, string errorMessage);

        [LoggerMessage(5405, LogLevel.Warning, "Unusable stream message: {Problem}")]
        public static partial void BadMessage(ILogger logger, string problem);
    }
}
