using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace NetBet.Web.Tests.Api;

/// <summary>The app pointed at a port where no PostgreSQL listens: 503s, never 500s.</summary>
public sealed class OutageTests : IAsyncLifetime
{
    private NetBetWebFactory _factory = null!;

    public ValueTask InitializeAsync()
    {
        // A port that was free a moment ago: connections are refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        _factory = new NetBetWebFactory($"Host=127.0.0.1;Port={port};Username=netbet;Password=x;Database=netbet;Timeout=3", kestrel: false);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

    [Fact]
    public async Task Health_DatabaseDown_Is503Unreachable()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("unreachable", body.RootElement.GetProperty("database").GetString());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("newest_snapshot_at").ValueKind);
    }

    [Theory]
    [InlineData("/api/leagues")]
    [InlineData("/api/leagues/117/events")]
    [InlineData("/api/events/1.900000001/timeseries")]
    [InlineData("/api/events/1.900000001/meta")]
    [InlineData("/api/snapshots/1/raw")]
    public async Task ApiRoute_DatabaseDown_Is503Problem(string path)
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(503, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Database unavailable", body.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task BadParameter_DatabaseDown_IsStill400()
    {
        using var client = _factory.CreateClient();

        await client.ProblemAsync("/api/leagues?limit=0", "limit");
    }
}
