using System.Net.Http;
using NetBet.Core.Books;
using NetBet.Ingest.Betfair;
using NetBet.Data.Queries;
using NetBet.Exchange;

namespace NetBet.Ingest.Tests.Betfair;

public sealed class BetfairClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TimeWindow Day => new(SimulatorSession.Start.AddHours(-3), SimulatorSession.Start.AddHours(24));

    [Fact]
    public async Task Simulator_Root_AnswersOkOnceStarted()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 3);
        using var http = new HttpClient();
        using var response = await http.GetAsync(session.Simulator.BaseUrl, Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("127.0.0.1", session.Simulator.BaseUrl.Host);
    }

    [Fact]
    public async Task ListMarketCatalogue_OpenMarkets_AreFootballMatchOddsFirstToStart()
    {
        await using var session = await SimulatorSession.StartAsync();
        var markets = await session.Client.ListMarketCatalogueAsync(Day, 1000, Ct);

        Assert.Equal(60, markets.Count);
        Assert.Equal(markets.OrderBy(m => m.MarketStartTime).Select(m => m.MarketId), markets.Select(m => m.MarketId));
        Assert.All(markets, m =>
        {
            Assert.Equal("MATCH_ODDS", m.Description?.MarketType);
            Assert.NotNull(m.Competition?.Name);
            Assert.NotNull(m.Event?.Name);
            Assert.Equal([1, 2, 3], m.Runners!.Select(r => r.SortPriority));
            Assert.Equal(58805, m.Runners![2].SelectionId);
            Assert.Equal("The Draw", m.Runners![2].RunnerName);
        });
        // MARKET_DESCRIPTION weighs 1 per market: 60 markets fit in one request of at most 200.
        Assert.All(session.Simulator.Requests, r => Assert.InRange(r.MarketCount, 1, BetfairClient.MaxRequestWeight));
    }

    [Fact]
    public async Task ListMarketCatalogue_MoreThanOnePage_PagesByStartTimeWithoutDuplicates()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 420);
        var markets = await session.Client.ListMarketCatalogueAsync(Day, 1000, Ct);

        Assert.Equal(420, markets.Select(m => m.MarketId).Distinct().Count());
        Assert.True(session.Simulator.Requests.Count(r => r.Operation == "listMarketCatalogue") >= 3);
        Assert.DoesNotContain(session.Simulator.Requests, r => r.ErrorCode == "TOO_MUCH_DATA");
    }

    [Fact]
    public async Task ListMarketCatalogue_ClosedMarkets_AreLeftOut()
    {
        await using var session = await SimulatorSession.StartAsync();
        session.Clock.Advance(TimeSpan.FromHours(2)); // the markets that kicked off an hour before the start have closed
        var markets = await session.Client.ListMarketCatalogueAsync(Day, 1000, Ct);

        Assert.InRange(markets.Count, 1, 59);
        Assert.All(markets, m => Assert.True(m.MarketStartTime > session.Clock.GetUtcNow().AddHours(-2)));
    }

    [Fact]
    public async Task ListMarketBook_SixtyMarkets_BatchesWithinTheWeightLimit()
    {
        await using var session = await SimulatorSession.StartAsync();
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(60, books.Count);
        var bookRequests = session.Simulator.Requests.Where(r => r.Operation == "listMarketBook").ToList();
        Assert.All(bookRequests, r => Assert.InRange(r.MarketCount, 1, 11));
        Assert.Equal(6, bookRequests.Count);
        Assert.All(bookRequests, r => Assert.Null(r.ErrorCode));
    }

    [Fact]
    public async Task ListMarketBook_RawJson_IsOneReadableMarketBookEach()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 12);
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(session.Simulator.MarketIds.Order(), books.Select(b => b.MarketId!).Order());
        Assert.All(books, raw =>
        {
            var book = MarketBookReader.Read(raw.Json.Span);
            Assert.Equal(raw.MarketId, book.MarketId);
            Assert.Equal((byte)'{', raw.Json.Span[0]);
            Assert.Equal((byte)'}', raw.Json.Span[^1]);
        });
    }

    [Fact]
    public async Task ListMarketBook_TooMuchData_SplitsTheBatchInHalves()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 22);
        session.Simulator.Faults.TooMuchDataAboveMarkets = 3;
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(22, books.Select(b => b.MarketId).Distinct().Count());
        var requests = session.Simulator.Requests.Where(r => r.Operation == "listMarketBook").ToList();
        Assert.Contains(requests, r => r.ErrorCode == "TOO_MUCH_DATA" && r.MarketCount == 11);
        Assert.All(requests.Where(r => r.ErrorCode is null), r => Assert.InRange(r.MarketCount, 1, 3));
    }

    [Fact]
    public async Task ListMarketBook_ServerErrors_AreRetried()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        session.Simulator.Faults.Next(SimulatorFault.ServerError, 2, "listMarketBook");
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(5, books.Count);
        Assert.Equal(2, session.Simulator.Requests.Count(r => r.StatusCode == 503));
        Assert.Contains(session.Logs.Lines, l => l.Contains("attempt 1/4 failed (HTTP 503)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListMarketBook_ServerErrorsEveryTime_GiveUpAfterTheLastAttempt()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        session.Simulator.Faults.ServerErrorRate = 1;
        var error = await Assert.ThrowsAsync<BetfairUnavailableException>(
            () => session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct));

        Assert.Contains("after 4 attempts", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, session.Simulator.Requests.Count(r => r.StatusCode == 503));
    }

    [Fact]
    public async Task ListMarketBook_SlowAnswerWithinTimeout_Succeeds()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        session.Simulator.Faults.SlowDelay = TimeSpan.FromMilliseconds(200);
        session.Simulator.Faults.Next(SimulatorFault.Slow, 1, "listMarketBook");
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(5, books.Count);
        Assert.Single(session.Simulator.Requests, r => r.Operation == "listMarketBook");
    }

    [Fact]
    public async Task ListMarketBook_SlowAnswerPastTimeout_IsRetried()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        session.Simulator.Faults.SlowDelay = TimeSpan.FromSeconds(5);
        session.Simulator.Faults.Next(SimulatorFault.Slow, 1, "listMarketBook");
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(5, books.Count);
        Assert.Contains(session.Logs.Lines, l => l.Contains("no answer within 0.3 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListMarketBook_InvalidSession_LogsInAgainAndRetriesOnce()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        await session.Client.LoginAsync(Ct);
        session.Simulator.Faults.Next(SimulatorFault.InvalidSession, 1, "listMarketBook");
        var books = await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);

        Assert.Equal(5, books.Count);
        Assert.Equal(2, session.Simulator.Logins);
    }

    [Fact]
    public async Task ListMarketBook_InvalidSessionTwice_Throws()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        session.Simulator.Faults.Next(SimulatorFault.InvalidSession, 2, "listMarketBook");
        var error = await Assert.ThrowsAsync<BetfairApiException>(
            () => session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct));

        Assert.Equal("INVALID_SESSION_INFORMATION", error.ErrorCode);
        Assert.Equal(2, session.Simulator.Logins);
    }

    [Fact]
    public async Task ListMarketBook_MalformedJson_ThrowsWithoutRetrying()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 5);
        session.Simulator.Faults.Next(SimulatorFault.MalformedJson, 1, "listMarketBook");
        var error = await Assert.ThrowsAsync<BetfairUnavailableException>(
            () => session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct));

        Assert.Contains("malformed JSON", error.Message, StringComparison.Ordinal);
        Assert.Single(session.Simulator.Requests, r => r.Operation == "listMarketBook");
    }

    [Fact]
    public async Task Login_WrongPassword_ThrowsTheBetfairError()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 1, o => o.Password = "wrong");
        var error = await Assert.ThrowsAsync<BetfairApiException>(() => session.Client.LoginAsync(Ct));

        Assert.Equal("INVALID_USERNAME_OR_PASSWORD", error.ErrorCode);
        Assert.False(session.Client.HasSession);
    }

    [Fact]
    public async Task KeepAliveAndLogout_Session_AreAcceptedAndEndIt()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 1);
        await session.Client.LoginAsync(Ct);
        await session.Client.KeepAliveAsync(Ct);
        Assert.Equal(1, session.Simulator.Logins);

        session.Simulator.ExpireSessions();
        await session.Client.KeepAliveAsync(Ct); // NO_SESSION: logs in again
        Assert.Equal(2, session.Simulator.Logins);

        await session.Client.LogoutAsync(Ct);
        Assert.False(session.Client.HasSession);
    }

    [Fact]
    public async Task Logs_AllFaults_NeverContainCredentials()
    {
        await using var session = await SimulatorSession.StartAsync(markets: 15);
        session.Simulator.Faults.Next(SimulatorFault.ServerError, 1);
        session.Simulator.Faults.Next(SimulatorFault.InvalidSession, 1);
        await session.Client.ListMarketCatalogueAsync(Day, 100, Ct);
        await session.Client.ListMarketBookAsync(session.Simulator.MarketIds, Ct);
        await session.Client.KeepAliveAsync(Ct);
        await session.Client.LogoutAsync(Ct);

        var logs = session.Logs.All + session.Options;
        Assert.NotEmpty(session.Logs.Lines);
        Assert.DoesNotContain(SimulatorSession.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorSession.AppKey, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(SimulatorSession.Username, logs, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_FromEnvironment_ReadsEveryVariableAndHidesThemInToString()
    {
        var environment = new Dictionary<string, string>
        {
            ["NETBET_BETFAIR_APP_KEY"] = "k-123",
            ["NETBET_BETFAIR_USERNAME"] = "u-456",
            ["NETBET_BETFAIR_PASSWORD"] = "p-789",
            ["NETBET_BETFAIR_CERT"] = "/etc/netbet/client.crt",
            ["NETBET_BETFAIR_KEY"] = "/etc/netbet/client.key",
        };
        var options = BetfairOptions.FromEnvironment(environment.GetValueOrDefault);

        Assert.Equal(("k-123", "u-456", "p-789"), (options.AppKey, options.Username, options.Password));
        Assert.True(options.UsesCertificateLogin);
        Assert.Equal(BetfairOptions.DefaultBettingUrl, options.BettingUrl);
        var text = options.ToString();
        Assert.DoesNotContain("k-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("u-456", text, StringComparison.Ordinal);
        Assert.DoesNotContain("p-789", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_UseEndpoint_PointsIdentityAndBettingAtOneServer()
    {
        var options = new BetfairOptions().UseEndpoint(new Uri("http://127.0.0.1:5055"));

        Assert.Equal("http://127.0.0.1:5055/api/", options.IdentityUrl.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5055/api/", options.CertificateIdentityUrl.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:5055/exchange/betting/rest/v1.0/", options.BettingUrl.AbsoluteUri);
    }
}
