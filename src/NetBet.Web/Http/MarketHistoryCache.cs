using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;

namespace NetBet.Web.Http;

/// <summary>
/// What a market's history reads as at one moment: its newest snapshot (id, time, status) and the row version of
/// that snapshot's derived metrics. Recorded history never changes, so while these stay the same so does every answer
/// drawn from it; a new snapshot, or a backfill reaching the market's newest row, changes them. Read once per request
/// (<see cref="GetAsync"/>) and shared by the output cache key and the <c>ETag</c>.
/// </summary>
internal sealed record MarketVersion(NewestSnapshotRow? Newest)
{
    private static readonly object ItemKey = new();

    // A new build may write the same rows differently (a metric added to Core, a formula fixed), so it must not
    // revalidate a copy an older build served.
    private static readonly string Build = string.Join('.',
        typeof(MarketVersion).Assembly.ManifestModule.ModuleVersionId.ToString("N"),
        typeof(MetricColumns).Assembly.ManifestModule.ModuleVersionId.ToString("N"));

    /// <summary>The cache key part: changes whenever the history may read differently.</summary>
    public string Key => Newest is { } n
        ? string.Create(CultureInfo.InvariantCulture, $"{n.SnapshotId}/{n.SnapshotAt.UtcTicks}/{n.DerivedVersion}/{n.HistoryVersion}")
        : "none";

    /// <summary>A market whose newest book is CLOSED gets no more snapshots (Betfair never reopens a closed market).</summary>
    public bool IsClosed => string.Equals(Newest?.Status, "CLOSED", StringComparison.Ordinal);

    /// <summary>
    /// A weak validator (the bytes differ between gzip, brotli and identity; the JSON does not) over the version,
    /// the build and the request's path and query, so a tag only ever matches the answer to the same question.
    /// </summary>
    public string ETag(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = $"{Key}|{Build}|{request.Path}{request.QueryString}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return $"W/\"{Convert.ToBase64String(hash[..15]).Replace('+', '-').Replace('/', '_')}\"";
    }

    /// <summary>
    /// The version of the route's <c>market_id</c>, read from the database once per request; null when the route
    /// value is missing or would be refused by <see cref="ParameterTextFilter"/> (which then answers 400).
    /// </summary>
    public static async ValueTask<MarketVersion?> GetAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var known))
        {
            return (MarketVersion?)known;
        }

        MarketVersion? version = null;
        if (context.Request.RouteValues["market_id"] is string marketId && QueryParameters.TextProblem(marketId) is null)
        {
            var markets = context.RequestServices.GetRequiredService<MarketQueries>();
            version = new MarketVersion(await markets.GetNewestSnapshotAsync(marketId, cancellationToken));
        }

        context.Items[ItemKey] = version;
        return version;
    }
}

/// <summary>
/// Output cache policy for a market's history: GET answers of 200 are kept per path, query, <c>Accept-Encoding</c>
/// and <see cref="MarketVersion.Key"/>, so a new snapshot makes a new key and the old entry is never served again
/// (it ages out). Concurrent misses for one key wait for a single computation.
/// </summary>
internal sealed class MarketHistoryCache : IOutputCachePolicy
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.HttpContext.Request;
        var version = HttpMethods.IsGet(request.Method) && !request.Headers.ContainsKey(HeaderNames.Authorization)
            ? await MarketVersion.GetAsync(context.HttpContext, cancellation)
            : null;
        var cacheable = version is not null;
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = cacheable;
        context.ResponseExpirationTimeSpan = Lifetime;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.HeaderNames = HeaderNames.AcceptEncoding;
        if (version is not null)
        {
            context.CacheVaryByRules.VaryByValues["market-version"] = version.Key;
        }
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.SetCookie.Count > 0)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// <c>ETag</c>, <c>If-None-Match</c> and <c>Cache-Control</c> for a market's history: a request whose tag still
/// matches gets 304 before any history is read; a 200 carries the tag, and <c>no-cache</c> (keep, but ask again
/// each time) while the market may still get snapshots, or five minutes' freshness once its newest book is CLOSED.
/// On a cache hit the output cache answers both from the stored headers.
/// </summary>
internal sealed class MarketHistoryValidation : IEndpointFilter
{
    private const string OpenCacheControl = "public, no-cache";
    private const string ClosedCacheControl = "public, max-age=300";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (await MarketVersion.GetAsync(http, http.RequestAborted) is not { } version)
        {
            return await next(context);
        }

        var tag = version.ETag(http.Request);
        var cacheControl = version.IsClosed ? ClosedCacheControl : OpenCacheControl;
        if (Matches(http.Request.Headers.IfNoneMatch, tag))
        {
            http.Response.Headers.ETag = tag;
            http.Response.Headers.CacheControl = cacheControl;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        var result = await next(context);
        if (StatusCodeOf(result) == StatusCodes.Status200OK)
        {
            http.Response.Headers.ETag = tag;
            http.Response.Headers.CacheControl = cacheControl;
        }

        return result;
    }

    // Weak comparison, as If-None-Match asks (RFC 9110 13.1.2); "*" matches any current representation.
    private static bool Matches(StringValues ifNoneMatch, string tag)
    {
        if (ifNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(ifNoneMatch, out var candidates))
        {
            return false;
        }

        var current = EntityTagHeaderValue.Parse(tag);
        return candidates.Any(c => c.Equals(EntityTagHeaderValue.Any) || c.Compare(current, useStrongComparison: false));
    }

    private static int? StatusCodeOf(object? result) => result switch
    {
        INestedHttpResult nested => StatusCodeOf(nested.Result),
        IStatusCodeHttpResult status => status.StatusCode,
        _ => null,
    };
}
