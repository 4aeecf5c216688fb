using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Data;
using Npgsql;

namespace NetBet.Web.Tests.Api;

/// <summary>
/// The web's bounds on the database, on a migrated database of this class's own (its tables get locked, which must
/// not stall the other tests): the statement timeout answers 503, a full queue answers 429, the read role cannot
/// write, and a timeseries over 50,000 points is a 400.
/// </summary>
public sealed class LimitsTests(WebFixture web) : IAsyncLifetime
{
    private const string Market = "1.800000001";
    private string _database = "";

    public async ValueTask InitializeAsync()
    {
        _database = await web.CreateMigratedDatabaseAsync(migrateTo: null, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(_database);

        // One market with a snapshot a minute for 50,001 minutes: one point per minute is one more than the limit.
        await using var seed = dataSource.CreateCommand($"""
            insert into market_event_metadata (market_id, market_name, competition_id, competition_name, market_start_time)
            values ('{Market}', 'Match Odds', '1', 'Limits League', now());
            insert into market_book_snapshots (snapshot_at, market_id)
            select timestamptz '2026-01-01 00:00:00+00' + make_interval(mins => i), '{Market}'
            from generate_series(0, 50000) as i;
            """);
        await seed.ExecuteNonQueryAsync(CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private NetBetWebFactory Factory(Dictionary<string, string?> limits) =>
        new(_database, kestrel: false, new Dictionary<string, string?>(limits)
        {
            [ReadDatabase.ConnectionStringVariable] = web.ReaderConnectionString(_database),
        });

    // Holds an ACCESS EXCLUSIVE lock on the metadata table until disposed, so every API query on it waits.
    private async Task<NpgsqlConnection> LockMetadataAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("begin; lock table market_event_metadata in access exclusive mode", connection);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    [Fact]
    public async Task Query_LongerThanTheStatementTimeout_Is503Problem()
    {
        await using var factory = Factory(new() { ["Web:StatementTimeoutSeconds"] = "0.5" });
        using var client = factory.CreateClient();
        await using var holder = await LockMetadataAsync();

        using var response = await client.GetAsync(new Uri("/api/leagues", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Query timed out", body.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task WebConnection_ByDefault_HasTheStatementTimeoutAndAPoolWellBelowMaxConnections()
    {
        await using var factory = Factory([]);
        var dataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        var ct = TestContext.Current.CancellationToken;
        await using var command = dataSource.CreateCommand(
            "select current_setting('statement_timeout'), current_setting('max_connections')::int, current_user");
        await using var row = await command.ExecuteReaderAsync(ct);
        Assert.True(await row.ReadAsync(ct));

        Assert.Equal("10s", row.GetString(0));
        var pool = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize;
        Assert.Equal(10, pool);
        Assert.True(pool * 4 <= row.GetInt32(1), $"pool {pool} vs max_connections {row.GetInt32(1)}");
        Assert.Equal(web.Reader.Login, row.GetString(2));
    }

    [Fact]
    public async Task Flood_BeyondConcurrencyAndQueue_Is429ThenServed()
    {
        await using var factory = Factory(new()
        {
            ["Web:StatementTimeoutSeconds"] = "60",
            ["Web:MaxConcurrentRequests"] = "2",
            ["Web:QueueLength"] = "2",
        });
        using var client = factory.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        await client.GetJsonAsync("/api/leagues");
        var holder = await LockMetadataAsync();

        // Two requests run (and wait on the lock), two queue, the other six are turned away at once.
        var requests = Enumerable.Range(0, 10)
            .Select(_ => client.GetAsync(new Uri("/api/leagues", UriKind.Relative), ct))
            .ToList();
        var rejected = new List<HttpResponseMessage>();
        while (rejected.Count < 6)
        {
            var done = await Task.WhenAny(requests);
            requests.Remove(done);
            rejected.Add(await done);
        }

        await holder.DisposeAsync();
        var served = await Task.WhenAll(requests);

        Assert.All(rejected, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        Assert.Equal("application/problem+json", rejected[0].Content.Headers.ContentType?.MediaType);
        Assert.Equal("1", rejected[0].Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(served, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        foreach (var response in rejected.Concat(served))
        {
            response.Dispose();
        }
    }

    [Theory]
    [InlineData("create table web_write_probe (id integer)")]
    [InlineData("update market_event_metadata set market_name = 'x'")]
    public async Task WebConnection_SetTransactionReadWrite_StillCannotWrite(string write)
    {
        await using var factory = Factory([]);
        var dataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var readWrite = new NpgsqlCommand("set transaction read write", connection, transaction))
        {
            await readWrite.ExecuteNonQueryAsync(ct);
        }

        await using var command = new NpgsqlCommand(write, connection, transaction);
        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(ct));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState);
    }

    [Fact]
    public async Task Timeseries_OverTheLimit_Is400NamingIt()
    {
        await using var factory = Factory([]);
        using var client = factory.CreateClient();

        var problem = await client.ProblemAsync($"/api/events/{Market}/timeseries?interval_minutes=1", "interval_minutes");

        Assert.Contains("50,000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeseries_AtTheLimit_IsServed()
    {
        await using var factory = Factory([]);
        using var client = factory.CreateClient();

        var points = await client.GetJsonAsync($"/api/events/{Market}/timeseries?interval_minutes=1&to=2026-02-04T17:19:00Z");

        Assert.Equal(50_000, points.GetArrayLength());
    }
}
