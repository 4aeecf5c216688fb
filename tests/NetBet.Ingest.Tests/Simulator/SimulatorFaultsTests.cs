using NetBet.Exchange;

namespace NetBet.Ingest.Tests.Simulator;

public sealed class SimulatorFaultsTests
{
    [Fact]
    public void Apply_EveryKnownSetting_SetsIt()
    {
        var faults = new SimulatorFaults();
        Assert.Null(faults.Apply("5xx=0.1"));
        Assert.Null(faults.Apply("slow=0.2"));
        Assert.Null(faults.Apply("slow-ms=1500"));
        Assert.Null(faults.Apply("invalid-session=0.05"));
        Assert.Null(faults.Apply("malformed=0.01"));
        Assert.Null(faults.Apply("too-much-data=5"));

        Assert.Equal((0.1, 0.2, 0.05, 0.01), (faults.ServerErrorRate, faults.SlowRate, faults.InvalidSessionRate, faults.MalformedJsonRate));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), faults.SlowDelay);
        Assert.Equal(5, faults.TooMuchDataAboveMarkets);
    }

    [Fact]
    public void Apply_LoginRefusedAndFailOperation_SetThem()
    {
        var faults = new SimulatorFaults();
        Assert.Null(faults.Apply("login-refused"));
        Assert.Null(faults.Apply("fail:listMarketBook=2"));
        Assert.Null(faults.Apply("fail:login=1"));
        Assert.Null(faults.Apply("fail:listMarketCatalogue=60s"));

        Assert.True(faults.LoginRefused);
        Assert.Equal(SimulatorFault.ServerError, faults.Draw("listMarketBook"));
        Assert.Equal(SimulatorFault.ServerError, faults.Draw("listMarketBook"));
        Assert.Null(faults.Draw("listMarketBook"));
        Assert.True(faults.DrawLoginFailure());
        Assert.False(faults.DrawLoginFailure());
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal(SimulatorFault.ServerError, faults.Draw("listMarketCatalogue")));
    }

    [Theory]
    [InlineData("fail:placeOrders=3")]
    [InlineData("fail:listMarketBook=0")]
    [InlineData("fail:listMarketBook=soon")]
    [InlineData("5xx")]
    [InlineData("5xx=2")]
    [InlineData("slow=-1")]
    [InlineData("too-much-data=2.5")]
    [InlineData("earthquake=0.1")]
    public void Apply_BadSetting_ReturnsAnErrorNamingIt(string setting)
    {
        var error = new SimulatorFaults().Apply(setting);

        Assert.NotNull(error);
        Assert.Contains(setting, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_StreamFaults_SetTheStreamSwitches()
    {
        var faults = new SimulatorFaults();
        Assert.Null(faults.Apply("stream-disconnect=2.5"));
        Assert.Null(faults.Apply("stream-503"));
        Assert.Null(faults.Apply("stream-segmented"));
        Assert.Null(faults.Apply("stream-conflate=1"));
        Assert.Null(faults.Apply("stream-auth-fail"));
        Assert.Null(faults.Apply("stream-auth-fail=0"));

        Assert.Equal(TimeSpan.FromSeconds(2.5), faults.StreamDisconnectEvery);
        Assert.True(faults.Stream503 && faults.StreamSegmented && faults.StreamConflate);
        Assert.False(faults.StreamAuthFail);
    }

    [Theory]
    [InlineData("stream-disconnect")]
    [InlineData("stream-disconnect=0")]
    [InlineData("stream-flood")]
    [InlineData("stream-503=x")]
    public void Apply_BadStreamSetting_ReturnsAnErrorNamingIt(string setting)
    {
        var error = new SimulatorFaults().Apply(setting);

        Assert.NotNull(error);
        Assert.Contains(setting, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Draw_QueuedFaults_MatchTheirOperationInOrder()
    {
        var faults = new SimulatorFaults();
        faults.Next(SimulatorFault.ServerError, 1, "listMarketBook");
        faults.Next(SimulatorFault.MalformedJson, 1, "listMarketCatalogue");
        faults.Next(SimulatorFault.Slow, 1);

        Assert.Equal(SimulatorFault.MalformedJson, faults.Draw("listMarketCatalogue"));
        Assert.Equal(SimulatorFault.Slow, faults.Draw("listMarketCatalogue"));
        Assert.Null(faults.Draw("listMarketCatalogue"));
        Assert.Equal(SimulatorFault.ServerError, faults.Draw("listMarketBook"));
        Assert.Null(faults.Draw("listMarketBook"));
    }

    [Fact]
    public void Draw_CertainProbability_AlwaysFaults()
    {
        var faults = new SimulatorFaults { ServerErrorRate = 1 };

        Assert.All(Enumerable.Range(0, 20), _ => Assert.Equal(SimulatorFault.ServerError, faults.Draw("listMarketBook")));
        faults.Clear();
        Assert.Null(faults.Draw("listMarketBook"));
    }
}
