using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace NetBet.Ingest.Betfair;

// HTTP, retries and the session: everything that touches headers lives here, and none of it logs a header.
public sealed partial class BetfairClient
{
    private async Task EnsureSessionAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _sessionToken) is not null)
        {
            return;
        }

        await _sessionLock.WaitAsync(cancellationToken);
        try
        {
            if (_sessionToken is null)
            {
                await LoginLockedAsync(cancellationToken);
            }
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    // Logs in again unless another caller already replaced the stale token.
    private async Task ReplaceSessionAsync(string staleToken, CancellationToken cancellationToken)
    {
        await _sessionLock.WaitAsync(cancellationToken);
        try
        {
            if (_sessionToken is null || _sessionToken == staleToken)
            {
                await LoginLockedAsync(cancellationToken);
            }
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    private async Task LoginLockedAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(_options.AppKey))
        {
            throw new InvalidOperationException("no Betfair application key: set NETBET_BETFAIR_APP_KEY");
        }

        if (string.IsNullOrEmpty(_options.Username) || string.IsNullOrEmpty(_options.Password))
        {
            throw new InvalidOperationException(
                "no Betfair credentials: set NETBET_BETFAIR_USERNAME and NETBET_BETFAIR_PASSWORD");
        }

        var certificate = _options.UsesCertificateLogin;
        var operation = certificate ? "certlogin" : "login";
        var url = new Uri(certificate ? _options.CertificateIdentityUrl : _options.IdentityUrl, operation);
        var http = certificate ? CertificateHttp() : _http;
        var (status, body) = await SendWithRetryAsync(operation, http, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new FormUrlEncodedContent(
                [
                    new("username", _options.Username),
                    new("password", _options.Password),
                ]),
            };
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Add("X-Application", _options.AppKey);
            return request;
        }, cancellationToken);

        var answer = ParseIdentity(operation, status, body);
        var token = certificate ? answer.SessionToken : answer.Token;
        var outcome = certificate ? answer.LoginStatus : answer.Status;
        if (outcome != "SUCCESS" || string.IsNullOrEmpty(token))
        {
            _sessionToken = null;
            throw new BetfairApiException(operation, (certificate ? answer.LoginStatus : answer.Error) ?? outcome ?? "FAIL");
        }

        _sessionToken = token;
        Log.LoggedIn(_logger, operation, url);
    }

    private HttpClient CertificateHttp()
    {
        if (_certificateHttp is null)
        {
            // Betfair's non-interactive login authenticates the TLS client certificate, so it needs its own handler.
            var certificate = X509Certificate2.CreateFromPemFile(_options.CertificatePath!, _options.KeyPath);
            var handler = new SocketsHttpHandler();
            handler.SslOptions.ClientCertificates = [certificate];
            _certificateHttp = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        }

        return _certificateHttp;
    }

    private async Task<IdentityResponse> IdentityCallAsync(string operation, string token, CancellationToken cancellationToken)
    {
        var url = new Uri(_options.IdentityUrl, operation);
        var (status, body) = await SendWithRetryAsync(operation, _http, () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Add("X-Application", _options.AppKey);
            request.Headers.Add("X-Authentication", token);
            return request;
        }, cancellationToken);
        return ParseIdentity(operation, status, body);
    }

    private static IdentityResponse ParseIdentity(string operation, HttpStatusCode status, byte[] body)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new BetfairUnavailableException($"{operation} answered HTTP {(int)status}");
        }

        try
        {
            return JsonSerializer.Deserialize(body, BetfairJsonContext.Default.IdentityResponse)
                ?? throw new JsonException("null answer");
        }
        catch (JsonException e)
        {
            throw new BetfairUnavailableException($"{operation} answered with malformed JSON: {e.Message}", e);
        }
    }

    private async Task<byte[]> CallBettingAsync(string operation, byte[] requestBody, CancellationToken cancellationToken)
    {
        await EnsureSessionAsync(cancellationToken);
        var url = new Uri(_options.BettingUrl, operation + "/");
        var loggedInAgain = false;
        while (true)
        {
            var token = Volatile.Read(ref _sessionToken) ?? "";
            var (status, body) = await SendWithRetryAsync(operation, _http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(requestBody) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.Add("X-Application", _options.AppKey);
                request.Headers.Add("X-Authentication", token);
                return request;
            }, cancellationToken);
            if (status == HttpStatusCode.OK)
            {
                return body;
            }

            var fault = ToApiException(operation, status, body);
            if (fault.IsSessionError && !loggedInAgain)
            {
                loggedInAgain = true;
                Log.SessionLost(_logger, operation, fault.ErrorCode);
                await ReplaceSessionAsync(token, cancellationToken);
                continue;
            }

            throw fault;
        }
    }

    private static BetfairApiException ToApiException(string operation, HttpStatusCode status, byte[] body)
    {
        var exception = TryReadFault(body);
        return exception?.ErrorCode is { Length: > 0 } code
            ? new BetfairApiException(operation, code, exception.ErrorDetails)
            : new BetfairApiException(operation, $"HTTP_{(int)status}");
    }

    private static ApiNgException? TryReadFault(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, BetfairJsonContext.Default.ApiFault)?.Detail?.ApiNgException;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // Sends with bounded retries for network errors, timeouts, 5xx and Betfair's "busy" error codes. Other answers,
    // errors included, go back to the caller. Backoff runs on the real clock: a simulated clock must not stall it.
    private async Task<(HttpStatusCode Status, byte[] Body)> SendWithRetryAsync(
        string operation, HttpClient http, Func<HttpRequestMessage> buildRequest, CancellationToken cancellationToken)
    {
        var attempts = Math.Max(1, _options.MaxAttempts);
        string lastFailure = "";
        Exception? lastException = null;
        for (var attempt = 1; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = buildRequest();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
                var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                Log.Answered(_logger, operation, (int)response.StatusCode, body.Length, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if ((int)response.StatusCode < 500 && !IsTransientFault(response.StatusCode, body))
                {
                    return (response.StatusCode, body);
                }

                lastFailure = $"HTTP {(int)response.StatusCode}";
                lastException = null;
            }
            catch (HttpRequestException e)
            {
                lastFailure = e.Message;
                lastException = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                lastFailure = $"no answer within {_options.RequestTimeout.TotalSeconds:0.###} s";
                lastException = e;
            }

            if (attempt >= attempts)
            {
                throw new BetfairUnavailableException(
                    $"{operation} failed after {attempts} attempts: {lastFailure}", lastException);
            }

            var delay = BackoffDelay(attempt);
            Log.Retrying(_logger, operation, attempt, attempts, lastFailure, delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken);
        }
    }

    private static bool IsTransientFault(HttpStatusCode status, byte[] body) =>
        status != HttpStatusCode.OK && TryReadFault(body)?.ErrorCode is { } code && TransientErrorCodes.Contains(code);

    // Full jitter: uniform in [0, min(max, base * 2^(attempt-1))], so clients that failed together retry apart.
    private TimeSpan BackoffDelay(int attempt)
    {
        var ceiling = Math.Min(
            _options.RetryMaxDelay.TotalMilliseconds,
            _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(ceiling * Random.Shared.NextDouble());
    }

    private static partial class Log
    {
        [LoggerMessage(5101, LogLevel.Information, "Betfair {Operation} succeeded at {Url}")]
        public static partial void LoggedIn(ILogger logger, string operation, Uri url);

        [LoggerMessage(5102, LogLevel.Warning, "Betfair {Operation} answered {ErrorCode}: logging in again and retrying once")]
        public static partial void SessionLost(ILogger logger, string operation, string errorCode);

        [LoggerMessage(5103, LogLevel.Warning, "Betfair {Operation} attempt {Attempt}/{Attempts} failed ({Failure}); retrying in {DelayMs:0} ms")]
        public static partial void Retrying(ILogger logger, string operation, int attempt, int attempts, string failure, double delayMs);

        [LoggerMessage(5104, LogLevel.Debug, "Betfair {Operation} answered HTTP {Status}, {Bytes} bytes in {ElapsedMs:0.0} ms")]
        public static partial void Answered(ILogger logger, string operation, int status, int bytes, double elapsedMs);

        [LoggerMessage(5105, LogLevel.Information, "listMarketBook TOO_MUCH_DATA for {Markets} markets: splitting into {First} and {Second}")]
        public static partial void SplittingBookRequest(ILogger logger, int markets, int first, int second);

        [LoggerMessage(5106, LogLevel.Warning, "Betfair keepAlive failed ({Error}): logging in again")]
        public static partial void KeepAliveFailed(ILogger logger, string error);

        [LoggerMessage(5107, LogLevel.Warning, "Betfair logout failed ({Error})")]
        public static partial void LogoutFailed(ILogger logger, string error);

        [LoggerMessage(5109, LogLevel.Warning, "listMarketBook for {Markets} markets failed after its retries, these markets are lost for this call: {MarketIds}; {Error}")]
        public static partial void BookRequestFailed(ILogger logger, int markets, string marketIds, string error);

        [LoggerMessage(5108, LogLevel.Warning, "listMarketCatalogue: a full page of {PageSize} markets all start at {From}; later markets are not listed")]
        public static partial void CataloguePageStuck(ILogger logger, int pageSize, DateTimeOffset from);
    }
}
