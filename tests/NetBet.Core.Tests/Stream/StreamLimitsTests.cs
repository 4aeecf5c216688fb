using System.Globalization;
using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Stream;

namespace NetBet.Core.Tests.Stream;

/// <summary>The bounds that keep a stream cache's memory bounded whatever a file contains.</summary>
public sealed class StreamLimitsTests
{
    private static byte[] Line(string json) => Encoding.UTF8.GetBytes(json);

    private static string Runners(int from, int count) =>
        string.Join(",", Enumerable.Range(from, count).Select(i => string.Create(CultureInfo.InvariantCulture, $$"""{"id":{{i}},"sortPriority":{{i}},"status":"ACTIVE"}""")));

    private static string Definition(int runners, string? ladder = null, int firstRunner = 1) =>
        $$"""{"status":"OPEN","inPlay":false,"marketType":"MATCH_ODDS","eventTypeId":"1"{{(ladder is null ? "" : $$""","priceLadderDefinition":{"type":"{{ladder}}"}""")}},"runners":[{{Runners(firstRunner, runners)}}]}""";

    public sealed class Prices
    {
        [Theory]
        [InlineData("atb", "[[1.001,5]]", "price 1.001 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].atb[0]")]
        [InlineData("atl", "[[2.02,5],[2.01,5]]", "price 2.01 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].atl[1]")]
        [InlineData("atb", "[[1000.5,5]]", "price 1000.5 is not on Betfair's CLASSIC price ladder")]
        [InlineData("atb", "[[0.5,5]]", "price 0.5 is not on Betfair's CLASSIC price ladder")]
        [InlineData("atl", "[[7.01,0]]", "price 7.01 is not on Betfair's CLASSIC price ladder")]
        [InlineData("batb", "[[0,2.0,5],[1,2.03,5]]", "price 2.03 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].batb[1]")]
        [InlineData("trd", "[[2.275,5]]", "price 2.275 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].trd[0]")]
        public void Apply_PriceOffTheLadder_ThrowsNamingPriceAndPathAndChangesNothing(string field, string levels, string expected)
        {
            var cache = new StreamCache();
            cache.Apply(Line("""{"op":"mcm","pt":900,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[1.5,1]]}]}]}"""));

            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line(
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"{{field}}":{{levels}}}]}]}""")));

            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            var runner = cache.Find("1.1")!.FindRunner(11)!;
            Assert.Equal([new PriceSize(1.5, 1)], runner.AvailableToBack);
            Assert.Empty(runner.AvailableToLay);
            Assert.Empty(runner.TradedVolume);
            Assert.Empty(runner.BestAvailableToBack);
        }

        [Fact]
        public void Apply_TradedBetweenTicksAndLevelRemovalAtPriceZero_AreAccepted()
        {
            var cache = new StreamCache();

            // SP-matched volume trades between ticks (the nautilus horse sample has 2.27); a removed level is [n,0,0].
            cache.Apply(Line("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"trd":[[2.27,5]],"batb":[[0,2.0,5],[1,0,0]]}]}]}"""));

            var runner = cache.Find("1.1")!.FindRunner(11)!;
            Assert.Equal([new PriceSize(2.27, 5)], runner.TradedVolume);
            Assert.Equal([new PriceSize(2.0, 5)], runner.BestAvailableToBack);
        }

        [Fact]
        public void Apply_FinestLadderMarket_AcceptsHundredthsOnly()
        {
            var cache = new StreamCache();
            cache.Apply(Line($$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","marketDefinition":{{Definition(2, "FINEST")}},"rc":[{"id":1,"atb":[[2.01,5]]}]}]}"""));

            // The definition is remembered: a later delta is checked against FINEST too.
            cache.Apply(Line("""{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":1,"atb":[[7.01,3]]}]}]}"""));
            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line("""{"op":"mcm","pt":3000,"mc":[{"id":"1.1","rc":[{"id":1,"atl":[[2.015,3]]}]}]}""")));

            Assert.Contains("price 2.015 is not on Betfair's FINEST price ladder at $.mc[0].rc[0].atl[0]", e.Message, StringComparison.Ordinal);
            Assert.Equal([new PriceSize(7.01, 3), new PriceSize(2.01, 5)], cache.Find("1.1")!.FindRunner(1)!.AvailableToBack);
        }

        [Fact]
        public void Apply_EveryTickTwice_ASideHoldsAt350Levels()
        {
            var levels = string.Join(",", PriceLadder.All.Select(p => string.Create(CultureInfo.InvariantCulture, $"[{p},1]")));
            var cache = new StreamCache();

            cache.Apply(Line($$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":1,"atb":[{{levels}},{{levels}}],"atl":[{{levels}}]}]}]}"""));

            var runner = cache.Find("1.1")!.FindRunner(1)!;
            Assert.Equal(350, runner.AvailableToBack.Count);
            Assert.Equal(350, runner.AvailableToLay.Count);
        }

        [Fact]
        public void Apply_LineOfAHundredThousandDistinctOffLadderPrices_IsRejectedWhole()
        {
            var text = new StringBuilder("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":1,"atb":[""");
            for (var i = 0; i < 100_000; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}[{2 + ((i + 1) / 1_000_000m)},1]");
            }

            var cache = new StreamCache();
            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line(text.Append("]}]}]}").ToString())));

            Assert.Contains("price 2.000001 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].atb[0]", e.Message, StringComparison.Ordinal);
            Assert.Empty(cache.Markets);
        }
    }

    public sealed class Caps
    {
        [Fact]
        public void Apply_DefinitionWithMaxRunners_IsAccepted_OneMoreIsRejected()
        {
            var cache = new StreamCache();
            cache.Apply(Line($$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","marketDefinition":{{Definition(StreamCache.MaxRunnersPerMarket)}}}]}"""));

            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line("""{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":999999,"atb":[[2.0,1]]}]}]}""")));

            Assert.Contains($"market 1.1 would have {StreamCache.MaxRunnersPerMarket + 1} runners", e.Message, StringComparison.Ordinal);
            Assert.Contains("at $.mc[0]", e.Message, StringComparison.Ordinal);
            Assert.Equal(StreamCache.MaxRunnersPerMarket, cache.Find("1.1")!.Runners.Count);
            Assert.Null(cache.Find("1.1")!.FindRunner(999999));
        }

        [Fact]
        public void Apply_SameMarketTwiceInOneMessage_RunnersCountTogether()
        {
            var half = (StreamCache.MaxRunnersPerMarket / 2) + 1;
            var cache = new StreamCache();

            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line(
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","marketDefinition":{{Definition(half)}}},{"id":"1.1","marketDefinition":{{Definition(half, firstRunner: half + 1)}}}]}""")));

            Assert.Contains("at $.mc[1]", e.Message, StringComparison.Ordinal);
            Assert.Empty(cache.Markets);
        }

        [Fact]
        public void Apply_ImageReplacesTheRunners_CountStartsAgain()
        {
            var cache = new StreamCache();
            cache.Apply(Line($$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","marketDefinition":{{Definition(StreamCache.MaxRunnersPerMarket)}}}]}"""));

            cache.Apply(Line($$"""{"op":"mcm","pt":2000,"mc":[{"id":"1.1","img":true,"marketDefinition":{{Definition(3, firstRunner: 5000)}}}]}"""));

            Assert.Equal(3, cache.Find("1.1")!.Runners.Count);
        }

        [Fact]
        public void Apply_OneMarketMoreThanTheCap_IsRejectedUntilOneIsRemoved()
        {
            var cache = new StreamCache(maxMarkets: 2);
            cache.Apply(Line("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","tv":1},{"id":"1.2","tv":1}]}"""));
            cache.Apply(Line("""{"op":"mcm","pt":1500,"mc":[{"id":"1.1","tv":2},{"id":"1.2","tv":2}]}"""));

            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Line("""{"op":"mcm","pt":2000,"mc":[{"id":"1.2","tv":3},{"id":"1.3","tv":1}]}""")));
            Assert.Contains("market 1.3 would be one market too many: at most 2 markets are held at once", e.Message, StringComparison.Ordinal);
            Assert.Contains("at $.mc[1]", e.Message, StringComparison.Ordinal);
            Assert.Equal(2, cache.Find("1.2")!.TotalVolume);

            Assert.True(cache.Remove("1.1"));
            cache.Apply(Line("""{"op":"mcm","pt":3000,"mc":[{"id":"1.3","tv":1}]}"""));
            Assert.Equal(["1.2", "1.3"], cache.Markets.Select(m => m.MarketId).Order());
        }

        [Fact]
        public void Forget_RemovedMarket_SamplerStartsAfresh()
        {
            var cache = new StreamCache();
            var sampler = new SnapshotSampler(TimeSpan.FromMinutes(1));
            cache.Apply(Line("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":1,"atb":[[2.0,1]]}]}]}"""));
            var market = cache.Find("1.1")!;
            sampler.Taken(market, 1000);

            Assert.True(sampler.Forget(market));

            Assert.Equal(SnapshotTrigger.First, sampler.Check(market, 1000));
            Assert.False(sampler.Forget(market));
        }
    }
}
