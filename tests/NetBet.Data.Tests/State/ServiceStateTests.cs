using NetBet.Data.State;

namespace NetBet.Data.Tests.State;

public sealed class ServiceStateTests(ClassDatabase database) : IClassFixture<ClassDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Tick(DateTimeOffset At, int Markets);

    [Fact]
    public async Task SetAsync_ThenGetAsync_ReturnsTheLatestValue()
    {
        var state = new ServiceState(database.DataSource);
        var at = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

        await state.SetAsync(ServiceState.PollerLastTickKey, new Tick(at, 12), Ct);
        await state.SetAsync(ServiceState.PollerLastTickKey, new Tick(at.AddSeconds(5), 13), Ct);

        Assert.Equal(new Tick(at.AddSeconds(5), 13), await state.GetAsync<Tick>(ServiceState.PollerLastTickKey, Ct));
        var entry = Assert.Single(await state.ListAsync(Ct), e => e.Key == ServiceState.PollerLastTickKey);
        Assert.Contains("\"markets\": 13", entry.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void PollerLastTickKey_IsTheStoredContract()
    {
        // Existing databases hold this key; the poller, netbet status and /api/health all go through the constant.
        Assert.Equal("poller.last_tick", ServiceState.PollerLastTickKey);
    }

    [Fact]
    public async Task GetAsync_MissingKey_ReturnsNull()
    {
        var state = new ServiceState(database.DataSource);

        Assert.Null(await state.GetEntryAsync("nobody.wrote.this", Ct));
        Assert.Null(await state.GetAsync<Tick>("nobody.wrote.this", Ct));
    }
}
