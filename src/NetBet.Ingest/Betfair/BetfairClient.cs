using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetBet.Data.Queries;

namespace NetBet.Ingest.Betfair;

/// <summary>
/// Betfair API-NG over JSON REST: login (interactive or certificate), keepAlive, logout, listMarketCatalogue and
/// listMarketBook. Network errors, timeouts and 5xx answers are retried with jittered exponential backoff; session
/// errors trigger one fresh login and one retry. Headers and credentials are never logged. Not meant for concurrent
/// calls from several threads beyond the session handling, which is safe.
/// </summary>
public sealed partial class BetfairClient : IDisposable
{
    /// <summary>Betfair's limit on <c>sum(weight) * markets</c> per request (Market Data Request Limits).</summary>
    public const int MaxRequestWeight = 200;

    /// <summary>Weight of the EX_ALL_OFFERS price projection per market.</summary>
    public const int ExAllOffersWeight = 17;

    /// <summary>Most markets in one listMarketBook request with EX_ALL_OFFERS: 200 / 17, rounded down.</summary>
    public const int MaxMarketsPerBookRequest = MaxRequestWeight / ExAllOffersWeight;

    /// <summary>Most markets per listMarketCatalogue request: MARKET_DESCRIPTION weighs 1 per market.</summary>
    public const int MaxMarketsPerCatalogueRequest = MaxRequestWeight;

    private static readonly string[] CatalogueProjections =
        ["EVENT", "COMPETITION", "MARKET_START_TIME", "RUNNER_DESCRIPTION", "MARKET_DESCRIPTION"];

    // Betfair answers these when it is busy; they are worth the same backoff as a 5xx.
    private static readonly HashSet<string> TransientErrorCodes =
        ["SERVICE_BUSY", "TIMEOUT_ERROR", "UNEXPECTED_ERROR", "TOO_MANY_REQUESTS"];

    private readonly BetfairOptions _options;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly SemaphoreSlim _sessionLock = new(1, 1);
    private HttpClient? _certificateHttp;
    private string? _sessionToken;

    /// <summary>Creates a client.</summary>
    /// <param name="options">Endpoints, credentials and retry settings.</param>
    /// <param name="logger">Logger; receives operation names, URLs, status codes and counts only.</param>
    /// <param name="httpClient">HTTP client to use (not disposed by this client); a private one when null.</param>
    /// <exception cref="ArgumentException">An endpoint is neither https:// nor loopback http:// (<see cref="BetfairOptions.EndpointProblem"/>).</exception>
    public BetfairClient(BetfairOptions options, ILogger<BetfairClient> logger, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.EndpointProblem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _logger = logger;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        _http.Timeout = Timeout.InfiniteTimeSpan; // per-request timeouts come from RequestTimeout
    }

    /// <summary>True once a login succeeded and no logout followed.</summary>
    public bool HasSession => Volatile.Read(ref _sessionToken) is not null;

    /// <summary>Logs in: certificate login when a certificate and key are configured, interactive login otherwise.</summary>
    /// <param name="cancellationToken">Cancels the login.</param>
    /// <exception cref="BetfairApiException">Betfair refused the login.</exception>
    /// <exception cref="InvalidOperationException">Credentials are missing.</exception>
    public async Task LoginAsync(CancellationToken cancellationToken)
    {
        await _sessionLock.WaitAsync(cancellationToken);
        try
        {
            await LoginLockedAsync(cancellationToken);
        }
        finally
        {
            _sessionLock.Release();
        }
    }

    /// <summary>Extends the session. Logs in again when Betfair says the session is gone.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        var token = Volatile.Read(ref _sessionToken);
        if (token is null)
        {
            await EnsureSessionAsync(cancellationToken);
            return;
        }

        var answer = await IdentityCallAsync("keepAlive", token, cancellationToken);
        if (answer.Status != "SUCCESS")
        {
            Log.KeepAliveFailed(_logger, answer.Error ?? answer.Status ?? "no status");
            await ReplaceSessionAsync(token, cancellationToken);
        }
    }

    /// <summary>Ends the session, when there is one. Failures are logged, not thrown: the session expires anyway.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        var token = Interlocked.Exchange(ref _sessionToken, null);
        if (token is null)
        {
            return;
        }

        try
        {
            var answer = await IdentityCallAsync("logout", token, cancellationToken);
            if (answer.Status != "SUCCESS")
            {
                Log.LogoutFailed(_logger, answer.Error ?? answer.Status ?? "no status");
            }
        }
        catch (BetfairUnavailableException e)
        {
            Log.LogoutFailed(_logger, e.Message);
        }
    }

    /// <summary>
    /// Football MATCH_ODDS markets starting within <paramref name="window"/>, first to start first, with event,
    /// competition, start time, runners and description. Requests stay within the 200-point weight limit; more
    /// markets are fetched page by page, each page starting where the previous one ended.
    /// </summary>
    /// <param name="window">The <c>marketStartTime</c> window; both ends are required (Betfair treats both as inclusive).</param>
    /// <param name="maxMarkets">Most markets to return (1 to 1000 is typical).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MarketCatalogue>> ListMarketCatalogueAsync(
        TimeWindow window, int maxMarkets, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMarkets);
        if (window is not { From: { } from, To: { } to })
        {
            throw new ArgumentException("listMarketCatalogue needs both ends of the marketStartTime window", nameof(window));
        }

        var markets = new List<MarketCatalogue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (markets.Count < maxMarkets)
        {
            // Full pages even near the end: markets repeated from the previous page take slots too.
            var pageSize = Math.Min(MaxMarketsPerCatalogueRequest, maxMarkets);
            var body = CatalogueRequest(from, to, pageSize);
            var answer = await CallBettingAsync("listMarketCatalogue", body, cancellationToken);
            List<MarketCatalogue> page;
            try
            {
                page = JsonSerializer.Deserialize(answer, BetfairJsonContext.Default.ListMarketCatalogue)
                    ?? throw new JsonException("null instead of an array");
            }
            catch (JsonException e)
            {
                throw new BetfairUnavailableException($"listMarketCatalogue answered with malformed JSON: {e.Message}", e);
            }

            foreach (var market in page)
            {
                if (markets.Count < maxMarkets && seen.Add(market.MarketId))
                {
                    markets.Add(market);
                }
            }

            if (page.Count < pageSize)
            {
                break;
            }

            // A full page: the next one starts at the last start time seen (markets at that very time come again
            // and are skipped by id). When the whole page shares one start time, paging cannot move on.
            var last = page[^1].MarketStartTime;
            if (last is null || last.Value <= from)
            {
                Log.CataloguePageStuck(_logger, pageSize, from);
                break;
            }

            from = last.Value;
        }

        return markets;
    }

    /// <summary>
    /// listMarketBook with EX_ALL_OFFERS for <paramref name="marketIds"/>, in requests of at most
    /// <see cref="MaxMarketsPerBookRequest"/> markets. A TOO_MUCH_DATA answer splits the request in halves.
    /// Each returned book keeps its exact JSON bytes. Throws the first failure; see
    /// <see cref="ListMarketBookByBatchAsync"/> to keep the books of the requests that succeeded.
    /// </summary>
    /// <param name="marketIds">Market ids; duplicates are requested once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<RawMarketBook>> ListMarketBookAsync(
        IReadOnlyCollection<string> marketIds, CancellationToken cancellationToken)
    {
        var fetch = await ListMarketBookByBatchAsync(marketIds, cancellationToken);
        if (fetch.Failures.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fetch.Failures[0].Error);
        }

        return fetch.Books;
    }

    /// <summary>
    /// As <see cref="ListMarketBookAsync"/>, but a request that still fails after its retries loses only its own
    /// markets: they are returned as a failure, and the other requests go on. A refusal of the credentials and a
    /// cancellation still end the whole call.
    /// </summary>
    /// <param name="marketIds">Market ids; duplicates are requested once.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<MarketBookFetch> ListMarketBookByBatchAsync(
        IReadOnlyCollection<string> marketIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(marketIds);
        var ids = marketIds.Distinct(StringComparer.Ordinal).ToArray();
        var fetch = new MarketBookFetch(new List<RawMarketBook>(ids.Length), []);
        foreach (var chunk in ids.Chunk(MaxMarketsPerBookRequest))
        {
            await FetchBooksAsync(chunk, fetch, cancellationToken);
        }

        return fetch;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        _certificateHttp?.Dispose();
        _sessionLock.Dispose();
    }

    private async Task FetchBooksAsync(string[] ids, MarketBookFetch fetch, CancellationToken cancellationToken)
    {
        byte[] answer;
        try
        {
            answer = await CallBettingAsync("listMarketBook", BookRequest(ids), cancellationToken);
        }
        catch (BetfairApiException e) when (e.ErrorCode == "TOO_MUCH_DATA" && ids.Length > 1)
        {
            var half = ids.Length / 2;
            Log.SplittingBookRequest(_logger, ids.Length, half, ids.Length - half);
            await FetchBooksAsync(ids[..half], fetch, cancellationToken);
            await FetchBooksAsync(ids[half..], fetch, cancellationToken);
            return;
        }
        catch (Exception e) when (e is BetfairUnavailableException or BetfairApiException { IsCredentialsRefused: false })
        {
            Log.BookRequestFailed(_logger, ids.Length, string.Join(", ", ids), e.Message);
            fetch.Failures.Add(new MarketBookFailure(ids, e));
            return;
        }

        var books = new List<RawMarketBook>(ids.Length);
        try
        {
            SplitBooks(answer, books);
        }
        catch (JsonException e)
        {
            var error = new BetfairUnavailableException($"listMarketBook answered with malformed JSON: {e.Message}", e);
            Log.BookRequestFailed(_logger, ids.Length, string.Join(", ", ids), error.Message);
            fetch.Failures.Add(new MarketBookFailure(ids, error));
            return;
        }

        fetch.Books.AddRange(books);
    }

    // Slices each MarketBook object out of the answer array without re-serialising it.
    internal static void SplitBooks(byte[] answer, List<RawMarketBook> books)
    {
        var reader = new Utf8JsonReader(answer);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("expected a JSON array of MarketBook objects");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"expected a MarketBook object, got {reader.TokenType}");
            }

            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var json = answer.AsMemory(start, (int)reader.BytesConsumed - start);
            books.Add(new RawMarketBook(ReadMarketId(json.Span), json));
        }

        if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
        {
            throw new JsonException("unexpected content after the MarketBook array");
        }
    }

    private static string? ReadMarketId(ReadOnlySpan<byte> book)
    {
        var reader = new Utf8JsonReader(book);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMarketId = reader.ValueTextEquals("marketId"u8);
            reader.Read();
            if (isMarketId)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }

    private static byte[] CatalogueRequest(DateTimeOffset from, DateTimeOffset to, int maxResults)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("filter");
            json.WriteStartArray("eventTypeIds");
            json.WriteStringValue("1");
            json.WriteEndArray();
            json.WriteStartArray("marketTypeCodes");
            json.WriteStringValue("MATCH_ODDS");
            json.WriteEndArray();
            json.WriteStartObject("marketStartTime");
            json.WriteString("from", from.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("to", to.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("marketProjection");
            foreach (var projection in CatalogueProjections)
            {
                json.WriteStringValue(projection);
            }

            json.WriteEndArray();
            json.WriteString("sort", "FIRST_TO_START");
            json.WriteNumber("maxResults", maxResults);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] BookRequest(IEnumerable<string> marketIds)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("marketIds");
            foreach (var id in marketIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteStartObject("priceProjection");
            json.WriteStartArray("priceData");
            json.WriteStringValue("EX_ALL_OFFERS");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
