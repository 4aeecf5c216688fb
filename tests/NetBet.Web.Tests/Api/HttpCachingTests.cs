using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using NetBet.Data;
using Npgsql;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Backfill;

namespace NetBet.Web.Tests.Api;

/// <summary>
/// The timeseries' HTTP caching on a seeded database of this class's own (its tests add snapshots and backfill rows):
/// ETag revalidation answers 304, a new snapshot or a backfilled newest row changes the tag and the body (the output
/// cache never serves the older answer), compressed answers decode to the same JSON, and Cache-Control says how long
/// a copy may be kept.
/// </summary>
public sealed class HttpCachingTests(WebFixture web) : IAsyncLifetime
{
    private const string Market = SeedData.HistoryMarket;
    private string _database = "";
    private SeedData _seed = null!;
    private NetBetWebFactory _factory = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await web.CreateMigratedDatabaseAsync(migrateTo: null, CancellationToken.None);
        await using (var dataSource = NpgsqlDataSource.Create(_database))
        {
            _seed = await SeedData.WriteAsync(dataSource, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        _factory = new NetBetWebFactory(_database, kestrel: false, new() { [ReadDatabase.ConnectionStringVariable] = web.ReaderConnectionString(_database) });
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private static string Path(string query = "") => $"/api/events/{Market}/timeseries{query}";

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(
        HttpClient client, string path, string? ifNoneMatch = null, string? acceptEncoding = null, bool authorization = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        if (authorization)
        {
            // The app has no authentication; a request carrying credentials is simply never answered from the cache.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-checked");
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    private async Task ExecuteAsync(string sql, params object[] values)
    {
        await using var dataSource = NpgsqlDataSource.Create(_database);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static string ETagOf(HttpResponseMessage response) =>
        Assert.IsType<EntityTagHeaderValue>(response.Headers.ETag, exactMatch: false).ToString();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Timeseries_RevalidatedWithItsETag_Is304WithoutABody(bool bypassOutputCache)
    {
        using var client = _factory.CreateClient();
        var (first, _) = await GetAsync(client, Path("?interval_minutes=5"), authorization: bypassOutputCache);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tag = ETagOf(first);
        Assert.StartsWith("W/\"", tag, StringComparison.Ordinal);

        var (again, body) = await GetAsync(client, Path("?interval_minutes=5"), ifNoneMatch: tag, authorization: bypassOutputCache);

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(body);
        Assert.Equal(tag, ETagOf(again));
        Assert.Equal(first.Headers.CacheControl?.ToString(), again.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task Timeseries_ETag_IsPerQuestion()
    {
        using var client = _factory.CreateClient();
        var (quarter, _) = await GetAsync(client, Path());
        var (hour, _) = await GetAsync(client, Path("?interval_minutes=60"));

        Assert.NotEqual(ETagOf(quarter), ETagOf(hour));
        var (other, _) = await GetAsync(client, Path("?interval_minutes=60"), ifNoneMatch: ETagOf(quarter));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Timeseries_AfterANewSnapshot_HasANewETagAndTheNewPoint()
    {
        using var client = _factory.CreateClient();
        var (before, beforeBody) = await GetAsync(client, Path("?interval_minutes=1"));
        var (cached, cachedBody) = await GetAsync(client, Path("?interval_minutes=1"));
        Assert.Equal(ETagOf(before), ETagOf(cached));
        Assert.Equal(beforeBody, cachedBody);

        var newest = _seed.HistoryTimes[^1].AddMinutes(3);
        await ExecuteAsync("insert into market_book_snapshots (market_id, snapshot_at, status, inplay) values ($1, $2, 'OPEN', true)", Market, newest);

        var (after, afterBody) = await GetAsync(client, Path("?interval_minutes=1"), ifNoneMatch: ETagOf(before));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(ETagOf(before), ETagOf(after));
        using var document = JsonDocument.Parse(afterBody);
        var last = document.RootElement.EnumerateArray().Last();
        Assert.Equal(newest, last.GetProperty("snapshot_at").GetDateTimeOffset());
        Assert.False(last.GetProperty("has_metrics").GetBoolean());
        Assert.Equal(JsonDocument.Parse(beforeBody).RootElement.GetArrayLength() + 1, document.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Timeseries_AfterABackfillOfTheNewestRow_HasANewETagAndTheNewValue()
    {
        using var client = _factory.CreateClient();
        var query = "?interval_minutes=2&include_impedance=false";
        var (before, _) = await GetAsync(client, Path(query));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // What a backfill does: fill a column of stored rows in place, without a new snapshot.
        await ExecuteAsync(
            """
            update market_derived_metrics set home_best_back = 777
            where market_id = $1 and snapshot_at = (select max(snapshot_at) from market_derived_metrics where market_id = $1)
            """,
            Market);

        var (after, body) = await GetAsync(client, Path(query), ifNoneMatch: ETagOf(before));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(ETagOf(before), ETagOf(after));
        using var document = JsonDocument.Parse(body);
        Assert.Equal(777, document.RootElement.EnumerateArray().Last(p => p.GetProperty("has_metrics").GetBoolean()).GetProperty("home_best_back").GetDouble());
    }

    [Fact]
    public async Task Timeseries_AfterABackfillOfOlderRows_HasANewETagAndTheFilledValue()
    {
        // A NULL behind the newest snapshot: the market's newest row, which the version reads, does not change.
        await ExecuteAsync(
            """
            update market_derived_metrics set home_back_stake = null
            where market_id = $1 and snapshot_at = (select min(snapshot_at) from market_derived_metrics where market_id = $1)
            """,
            Market);
        using var client = _factory.CreateClient();
        var query = "?interval_minutes=1&include_impedance=false";
        var (before, beforeBody) = await GetAsync(client, Path(query));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(JsonValueKind.Null, FirstWithMetrics(beforeBody).GetProperty("home_back_stake").ValueKind);

        await using (var dataSource = NpgsqlDataSource.Create(_database))
        {
            var result = await new Backfiller(dataSource, NullLogger<Backfiller>.Instance)
                .RunAsync(new BackfillOptions(), null, TestContext.Current.CancellationToken);
            Assert.True(result.Updated >= 1, $"the backfill updated {result.Updated} rows");
        }

        var (after, afterBody) = await GetAsync(client, Path(query), ifNoneMatch: ETagOf(before));

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(ETagOf(before), ETagOf(after));
        Assert.Equal(JsonValueKind.Number, FirstWithMetrics(afterBody).GetProperty("home_back_stake").ValueKind);

        static JsonElement FirstWithMetrics(byte[] body) =>
            JsonDocument.Parse(body).RootElement.EnumerateArray().First(p => p.GetProperty("has_metrics").GetBoolean()).Clone();
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task Timeseries_Compressed_DecodesToTheSameJson(string encoding)
    {
        using var client = _factory.CreateClient();
        var (plain, plainBody) = await GetAsync(client, Path("?interval_minutes=3"));
        Assert.Empty(plain.Content.Headers.ContentEncoding);

        // The second compressed answer comes from the output cache: it must carry the encoding it was stored with.
        foreach (var _ in new[] { "computed", "cached" })
        {
            var (compressed, body) = await GetAsync(client, Path("?interval_minutes=3"), acceptEncoding: encoding);

            Assert.Equal(HttpStatusCode.OK, compressed.StatusCode);
            Assert.Equal([encoding], compressed.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", compressed.Headers.Vary);
            Assert.True(body.Length < plainBody.Length / 3, $"{encoding}: {body.Length} bytes for {plainBody.Length}");
            Assert.Equal(plainBody, Decode(encoding, body));
            Assert.Equal(ETagOf(plain), ETagOf(compressed));
        }
    }

    private static byte[] Decode(string encoding, byte[] body)
    {
        using var input = new MemoryStream(body);
        using Stream decoder = encoding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    [Fact]
    public async Task Timeseries_CacheControl_RevalidatesAnOpenMarketAndKeepsAClosedOne()
    {
        using var client = _factory.CreateClient();
        var (open, _) = await GetAsync(client, Path("?interval_minutes=10"));
        Assert.True(open.Headers.CacheControl is { Public: true, NoCache: true }, $"open market: {open.Headers.CacheControl}");

        await ExecuteAsync(
            "insert into market_book_snapshots (market_id, snapshot_at, status, inplay) values ($1, $2, 'CLOSED', false)",
            Market, _seed.HistoryTimes[^1].AddHours(2));
        var (closed, _) = await GetAsync(client, Path("?interval_minutes=10"));

        Assert.True(closed.Headers.CacheControl is { Public: true, NoCache: false }, $"closed market: {closed.Headers.CacheControl}");
        Assert.Equal(TimeSpan.FromMinutes(5), closed.Headers.CacheControl?.MaxAge);
        Assert.NotEqual(ETagOf(open), ETagOf(closed));
    }

    [Fact]
    public async Task Timeseries_NotFoundAndBadInput_CarryNoValidator()
    {
        using var client = _factory.CreateClient();
        var (unknown, _) = await GetAsync(client, "/api/events/1.999999999/timeseries");
        var (bad, _) = await GetAsync(client, Path("?interval_minutes=0"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Null(unknown.Headers.ETag);
        Assert.Null(bad.Headers.ETag);
    }
}
