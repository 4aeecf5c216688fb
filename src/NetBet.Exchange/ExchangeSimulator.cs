using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace NetBet.Exchange;

/// <summary>One betting request the simulator answered, for tests.</summary>
/// <param name="Operation"><c>listMarketCatalogue</c> or <c>listMarketBook</c>.</param>
/// <param name="MarketCount">Market ids asked for (listMarketBook) or <c>maxResults</c> (listMarketCatalogue).</param>
/// <param name="StatusCode">HTTP status of the answer.</param>
/// <param name="ErrorCode">APINGException error code or injected fault, when any.</param>
public sealed record SimulatorRequest(string Operation, int MarketCount, int StatusCode, string? ErrorCode);

/// <summary>
/// A fake Betfair API-NG on 127.0.0.1: identity (<c>/api/login</c>, <c>/api/certlogin</c>, <c>/api/keepAlive</c>,
/// <c>/api/logout</c>) and JSON REST betting (<c>/exchange/betting/rest/v1.0/listMarketCatalogue/</c>,
/// <c>.../listMarketBook/</c>) on one base URL, with evolving football MATCH_ODDS books driven by an injected
/// <see cref="TimeProvider"/> and fault injection through <see cref="Faults"/>. <c>GET /</c> answers 200 once ready.
/// </summary>
public sealed partial class ExchangeSimulator : IAsyncDisposable
{
    private const string BettingPrefix = "/exchange/betting/rest/v1.0";

    private readonly WebApplication _app;
    private readonly TimeProvider _time;
    private readonly SimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _sessionExpiry = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<SimulatorRequest> _requests = new();
    private int _logins;
    private int _loginAttempts;
    private Stream.StreamPublisher? _streamPublisher;
    private Stream.StreamServer? _stream;

    private ExchangeSimulator(WebApplication app, SimulatorOptions options, TimeProvider time, ILogger logger)
    {
        _app = app;
        _options = options;
        _time = time;
        _logger = logger;
        Model = new MarketModel(options.Markets, options.Seed, time.GetUtcNow());
        Faults = new SimulatorFaults(options.Seed);
    }

    /// <summary>Base URL, such as <c>http://127.0.0.1:41234/</c>; pass it as <c>--endpoint</c>.</summary>
    public Uri BaseUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Fault injection; change it at any time.</summary>
    public SimulatorFaults Faults { get; }

    /// <summary>Market ids of every simulated market, closed ones included, in kick-off order.</summary>
    public IReadOnlyList<string> MarketIds => [.. Model.Markets.Select(m => m.MarketId)];

    /// <summary>Betting requests answered so far, oldest first.</summary>
    public IReadOnlyList<SimulatorRequest> Requests => [.. _requests];

    /// <summary>Successful logins (interactive and certificate) so far.</summary>
    public int Logins => Volatile.Read(ref _logins);

    /// <summary>Login requests (interactive and certificate) so far, refused ones included.</summary>
    public int LoginAttempts => Volatile.Read(ref _loginAttempts);

    internal MarketModel Model { get; }

    /// <summary>Port of the fake Exchange Stream API on 127.0.0.1, or null when it was not started.</summary>
    public int? StreamPort => _stream?.Port;

    /// <summary>PEM of the CA that signed the stream's TLS certificate (for <c>--stream-ca</c>), or null without a stream.</summary>
    public string? StreamCertificatePem => _stream?.CertificateAuthorityPem;

    /// <summary>Stream connections accepted so far.</summary>
    public int StreamConnections => _stream?.Connections ?? 0;

    /// <summary>Closes every open stream connection now.</summary>
    public void DropStreamConnections() => _stream?.DropConnections();

    /// <summary>The stream forgets the changes it kept, so the next resubscription with a <c>clk</c> gets a fresh image.</summary>
    public void ForgetStreamHistory() => _streamPublisher?.ForgetHistory();

    /// <summary>Open stream connections go silent (no data, no heartbeats) but stay open.</summary>
    public void SilenceStreamConnections() => _stream?.SilenceConnections();

    /// <summary>Starts the simulator and returns once it accepts requests.</summary>
    /// <param name="options">Port, markets, seed, optional expected credentials.</param>
    /// <param name="timeProvider">The exchange clock: books, kick-offs and sessions follow it.</param>
    /// <param name="logger">Receives one line per request (operation, status, market count); null for none.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<ExchangeSimulator> StartAsync(
        SimulatorOptions options, TimeProvider timeProvider, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Markets);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(ExchangeSimulator).Assembly.GetName().Name,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var simulator = new ExchangeSimulator(app, options, timeProvider, logger ?? NullLogger.Instance);
        simulator.MapEndpoints(app);
        await app.StartAsync(cancellationToken);
        if (options.StreamPort is { } streamPort)
        {
            try
            {
                simulator._streamPublisher = new Stream.StreamPublisher(simulator.Model, timeProvider);
                simulator._stream = new Stream.StreamServer(streamPort, simulator._streamPublisher, simulator.Faults, simulator.IsValidSession, simulator._logger);
            }
            catch (System.Net.Sockets.SocketException)
            {
                await simulator.DisposeAsync();
                throw;
            }
        }

        var address = app.Urls.First();
        simulator.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return simulator;
    }

    /// <summary>Invalidates every session token, as if they all expired: the next betting call gets INVALID_SESSION_INFORMATION.</summary>
    public void ExpireSessions() => _sessionExpiry.Clear();

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _streamPublisher?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void MapEndpoints(WebApplication app)
    {
        app.MapGet("/", () => Results.Text("NetBet exchange simulator: Betfair API-NG on this base URL\n"));
        app.MapPost("/api/login", context => LoginAsync(context, certificate: false));
        app.MapPost("/api/certlogin", context => LoginAsync(context, certificate: true));
        app.MapMethods("/api/keepAlive", ["GET", "POST"], context => SessionCallAsync(context, logout: false));
        app.MapMethods("/api/logout", ["GET", "POST"], context => SessionCallAsync(context, logout: true));
        app.MapPost(BettingPrefix + "/listMarketCatalogue/", context => BettingAsync(context, "listMarketCatalogue"));
        app.MapPost(BettingPrefix + "/listMarketBook/", context => BettingAsync(context, "listMarketBook"));
    }

    private async Task LoginAsync(HttpContext context, bool certificate)
    {
        if (Faults.DrawLoginFailure())
        {
            Interlocked.Increment(ref _loginAttempts);
            context.Response.StatusCode = 503;
            await context.Response.WriteAsync("identity service unavailable (simulated)", context.RequestAborted);
            return;
        }

        string? username = null, password = null;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            username = form["username"];
            password = form["password"];
        }

        Interlocked.Increment(ref _loginAttempts);
        var appKey = context.Request.Headers["X-Application"].ToString();
        string? error = null;
        if (string.IsNullOrEmpty(appKey))
        {
            error = "INVALID_APP_KEY";
        }
        else if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password)
            || (_options.Username is { } u && u != username) || (_options.Password is { } p && p != password) || Faults.LoginRefused)
        {
            error = "INVALID_USERNAME_OR_PASSWORD";
        }

        string? token = null;
        if (error is null)
        {
            token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            _sessionExpiry[token] = _time.GetUtcNow() + _options.SessionLifetime;
            Interlocked.Increment(ref _logins);
        }

        Log.Identity(_logger, certificate ? "certlogin" : "login", error ?? "SUCCESS");
        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            if (certificate)
            {
                // certlogin answers sessionToken/loginStatus; the interactive login answers token/status/error.
                if (token is not null)
                {
                    json.WriteString("sessionToken", token);
                }

                json.WriteString("loginStatus", error ?? "SUCCESS");
            }
            else
            {
                json.WriteString("token", token ?? "");
                json.WriteString("product", appKey);
                json.WriteString("status", error is null ? "SUCCESS" : "FAIL");
                json.WriteString("error", error ?? "");
            }

            json.WriteEndObject();
        });
    }

    private async Task SessionCallAsync(HttpContext context, bool logout)
    {
        var token = context.Request.Headers["X-Authentication"].ToString();
        var now = _time.GetUtcNow();
        var valid = token.Length > 0 && _sessionExpiry.TryGetValue(token, out var expiry) && expiry > now;
        if (valid)
        {
            if (logout)
            {
                _sessionExpiry.TryRemove(token, out _);
            }
            else
            {
                _sessionExpiry[token] = now + _options.SessionLifetime;
            }
        }

        Log.Identity(_logger, logout ? "logout" : "keepAlive", valid ? "SUCCESS" : "NO_SESSION");
        await WriteJsonAsync(context, 200, json =>
        {
            json.WriteStartObject();
            json.WriteString("token", valid ? token : "");
            json.WriteString("product", context.Request.Headers["X-Application"].ToString());
            json.WriteString("status", valid ? "SUCCESS" : "FAIL");
            json.WriteString("error", valid ? "" : "NO_SESSION");
            json.WriteEndObject();
        });
    }

    private bool IsValidSession(string token) =>
        _sessionExpiry.TryGetValue(token, out var expiry) && expiry > _time.GetUtcNow();

    private static partial class Log
    {
        [LoggerMessage(5201, LogLevel.Debug, "Simulator {Operation}: {Outcome}")]
        public static partial void Identity(ILogger logger, string operation, string outcome);

        [LoggerMessage(5202, LogLevel.Debug, "Simulator {Operation} for {Markets} markets: HTTP {Status} {ErrorCode}")]
        public static partial void Betting(ILogger logger, string operation, int markets, int status, string? errorCode);
    }
}
