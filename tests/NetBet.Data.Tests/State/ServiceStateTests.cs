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

        await state.SetAsync("poller.last_tick", new Tick(at, 12), Ct);
        await state.SetAsync("poller.last_tick", new Tick(at.AddSeconds(5), 13), Ct);

        Assert.Equal(new Tick(at.AddSeconds(5), 13), await state.GetAsync<Tick>("poller.last_tick", Ct));
        var entry = Assert.Single(await state.ListAsync(Ct), e => e.Key == "poller.last_tick");
        Assert.Contains("\"markets\": 13", entry.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_MissingKey_ReturnsNull()
    {
        var state = new ServiceState(database.DataSource);

        Assert.Null(await state.GetEntryAsync("nobody.wrote.this", Ct));
        Assert.Null(await state.GetAsync<Tick>("nobody.wrote.this", Ct));
    }
}
