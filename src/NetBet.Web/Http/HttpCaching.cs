using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace NetBet.Web.Http;

/// <summary>
/// HTTP's own tools for answers that only change when a market gets a new snapshot: output caching keyed on the
/// market's newest snapshot (<see cref="MarketHistoryCache"/>), <c>ETag</c>/<c>If-None-Match</c> revalidation and
/// <c>Cache-Control</c> (<see cref="MarketHistoryValidation"/>), and gzip/brotli compression of the API's JSON.
/// </summary>
internal static class HttpCaching
{
    /// <summary>The output cache policy of routes under <c>/api/events/{market_id}</c> that read the market's history.</summary>
    public const string MarketHistoryPolicy = "market-history";

    public static IServiceCollection AddHttpCaching(this IServiceCollection services)
    {
        services.AddOutputCache(options => options.AddPolicy(MarketHistoryPolicy, new MarketHistoryCache()));

        // Fastest: a 2.7 MB timeseries compresses about 10:1 at the lowest levels, and the higher ones cost several
        // times the CPU for a few percent more. Over HTTPS too: no response carries a secret or a cookie for a
        // BREACH-style attack to guess at.
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        return services;
    }

    /// <summary>
    /// After routing and the rate limiter (a cache lookup asks the database for the market's newest snapshot, so it
    /// takes a permit like any API request). Compression runs inside the output cache, so the cache keeps the
    /// compressed bytes and a hit costs no compression.
    /// </summary>
    public static IApplicationBuilder UseHttpCaching(this IApplicationBuilder app)
    {
        app.UseOutputCache();
        app.UseResponseCompression();
        return app;
    }
}
