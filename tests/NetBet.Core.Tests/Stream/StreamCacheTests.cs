using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Core.Stream;

namespace NetBet.Core.Tests.Stream;

public sealed class StreamCacheTests
{
    private const string Definition = """
        "marketDefinition":{"eventTypeId":"1","eventId":"30","eventName":"Home v Away","name":"Match Odds","marketType":"MATCH_ODDS",
        "bettingType":"ODDS","status":"OPEN","inPlay":false,"marketTime":"2026-02-06T15:00:00.000Z","openDate":"2026-02-06T15:00:00.000Z",
        "countryCode":"GB","timezone":"Europe/London","betDelay":0,"version":7,
        "runners":[{"id":11,"sortPriority":1,"status":"ACTIVE","name":"Home"},{"id":22,"sortPriority":2,"status":"ACTIVE","name":"Away"},
        {"id":58805,"sortPriority":3,"status":"ACTIVE","name":"The Draw"}]}
        """;

    private static StreamCache Apply(params string[] lines)
    {
        var cache = new StreamCache();
        foreach (var line in lines)
        {
            cache.Apply(Encoding.UTF8.GetBytes(line.ReplaceLineEndings("")));
        }

        return cache;
    }

    private static string Def(string status = "OPEN", bool inPlay = false) =>
        Definition.Replace("\"OPEN\"", $"\"{status}\"", StringComparison.Ordinal)
            .Replace("\"inPlay\":false", $"\"inPlay\":{(inPlay ? "true" : "false")}", StringComparison.Ordinal);

    public sealed class Ladders
    {
        [Fact]
        public void Apply_PricePairs_SetSizeAndSizeZeroRemoves()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10],[2.02,5],[1.98,7]],"atl":[[2.04,3]]}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,4],[2.02,0]]}]}]}""");

            var runner = cache.Find("1.1")!.FindRunner(11)!;
            Assert.Equal([new PriceSize(2.0, 4), new PriceSize(1.98, 7)], runner.AvailableToBack);
            Assert.Equal([new PriceSize(2.04, 3)], runner.AvailableToLay);
        }

        [Fact]
        public void Apply_SamePriceWrittenDifferently_IsOneKey()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atl":[[1.1,10]]}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"atl":[[1.10,0],[1.100,3]]}]}]}""");

            Assert.Equal([new PriceSize(1.1, 3)], cache.Find("1.1")!.FindRunner(11)!.AvailableToLay);
        }

        [Fact]
        public void Apply_ImageTrue_DropsEverythingCachedFirst()
        {
            var cache = Apply(
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1",{{Def()}},"rc":[{"id":11,"atb":[[2.0,10]],"trd":[[2.0,50]],"ltp":2.0}],"tv":50}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","img":true,"rc":[{"id":22,"atl":[[3.0,1]]}]}]}""");

            var market = cache.Find("1.1")!;
            Assert.Null(market.Definition);
            Assert.Null(market.TotalVolume);
            Assert.Null(market.FindRunner(11));
            Assert.Equal([new PriceSize(3.0, 1)], market.FindRunner(22)!.AvailableToLay);
        }

        [Fact]
        public void Apply_ImageFlagAfterRunnerChanges_StillResetsBeforeApplying()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]]}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"rc":[{"atb":[[1.5,1]],"id":11}],"id":"1.1","con":true,"img":true}]}""");

            Assert.Equal([new PriceSize(1.5, 1)], cache.Find("1.1")!.FindRunner(11)!.AvailableToBack);
        }

        [Fact]
        public void Apply_BestOfferLevels_SetByLevelAndSizeZeroRemovesLevel()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"batb":[[0,2.0,10],[1,1.99,5],[2,1.98,1]]}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"batb":[[0,2.02,3],[2,0,0]]}]}]}""");

            Assert.Equal([new PriceSize(2.02, 3), new PriceSize(1.99, 5)], cache.Find("1.1")!.FindRunner(11)!.BestAvailableToBack);
        }

        [Fact]
        public void Apply_TradedLadder_RunnerTotalIsSumOfLadderNotStreamTv()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"trd":[[2.0,10],[2.02,5]],"tv":15}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"trd":[[2.02,7.5]],"tv":2.5}]}]}""");

            var runner = cache.Find("1.1")!.FindRunner(11)!;
            Assert.Equal(17.5, runner.TotalMatched);
            Assert.Equal(2.5, runner.StreamTradedVolume);
            Assert.Equal(2000, cache.Find("1.1")!.LastMatchTime);
        }

        [Fact]
        public void Apply_HandicapRunners_AreSeparateKeys()
        {
            var cache = Apply("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":9,"hc":-0.25,"atb":[[2.0,1]]},{"id":9,"hc":0.25,"atb":[[3.0,1]]}]}]}""");

            var market = cache.Find("1.1")!;
            Assert.Equal(2.0, market.FindRunner(9, -0.25)!.AvailableToBack[0].Price);
            Assert.Equal(3.0, market.FindRunner(9, 0.25)!.AvailableToBack[0].Price);
        }

        [Fact]
        public void Apply_BackAndLayInSeparateRunnerChanges_BookReadAfterWholeMessage()
        {
            var cache = Apply(
                """{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]],"atl":[[2.02,10]]}]}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.04,5]]},{"id":11,"atl":[[2.02,0],[2.06,5]]}]}]}""");

            Assert.False(cache.Find("1.1")!.IsCrossed);
        }
    }

    public sealed class Messages
    {
        [Fact]
        public void Apply_SegmentedChange_AppliedOnlyAtSegmentEnd()
        {
            var cache = new StreamCache();
            var start = cache.Apply("""{"op":"mcm","pt":1000,"segmentType":"SEG_START","mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]]}]}]}"""u8);
            Assert.Equal(StreamMessageKind.SegmentPending, start.Kind);
            Assert.Null(cache.Find("1.1"));

            var end = cache.Apply("""{"op":"mcm","pt":1001,"segmentType":"SEG_END","mc":[{"id":"1.1","rc":[{"id":11,"atl":[[2.02,3]]}]}]}"""u8);
            Assert.Equal(new StreamApplyResult(StreamMessageKind.MarketChange, 1001, 2, 2) { IsMarketChangeMessage = true }, end);
            Assert.Single(cache.Find("1.1")!.FindRunner(11)!.AvailableToLay);
        }

        [Theory]
        [InlineData("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]""", "unexpected end of line")]
        [InlineData("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,"ten"]]}]}]}""", "$.mc[0].rc[0].atb[0]")]
        [InlineData("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,-1]]}]}]}""", "size must be zero or positive")]
        [InlineData("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"atb":[[2.0,1]]}]}]}""", "runner change without id")]
        [InlineData("""{"op":"mcm","mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,1]]}]}]}""", "without pt")]
        [InlineData("""[1,2,3]""", "expected a JSON object")]
        [InlineData("""not json""", "invalid JSON")]
        public void Apply_MalformedLine_ThrowsNamingWhatAndChangesNothing(string line, string expected)
        {
            var cache = new StreamCache();
            cache.Apply("""{"op":"mcm","pt":900,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[1.5,1]]}]}]}"""u8);

            var e = Assert.Throws<StreamFormatException>(() => cache.Apply(Encoding.UTF8.GetBytes(line)));

            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Equal([new PriceSize(1.5, 1)], cache.Find("1.1")!.FindRunner(11)!.AvailableToBack);
        }

        [Theory]
        [InlineData("""{"op":"connection","connectionId":"002-230915140112-174"}""")]
        [InlineData("""{"op":"status","id":1,"statusCode":"SUCCESS","connectionClosed":false}""")]
        [InlineData("""{"op":"mcm","id":2,"clk":"AAAAAAAA","pt":1471370160471,"ct":"HEARTBEAT"}""")]
        [InlineData("""{"op":"mcm","id":2,"status":503,"pt":1471370160471}""")]
        public void Apply_MessageWithoutMarketChanges_IsOther(string line)
        {
            var result = new StreamCache().Apply(Encoding.UTF8.GetBytes(line));

            Assert.Equal(StreamMessageKind.Other, result.Kind);
        }

        [Fact]
        public void ChangedMarkets_ListsEachMarketOnce()
        {
            var cache = Apply("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]]}]},{"id":"1.2","tv":5},{"id":"1.1","tv":3}]}""");

            Assert.Equal(["1.1", "1.2"], cache.ChangedMarkets.Select(m => m.MarketId));
        }
    }

    public sealed class Rendering
    {
        [Fact]
        public void ToMarketBookJson_FullDepthMarket_ReadsBackAsListMarketBookShape()
        {
            var cache = Apply(
                $$"""
                {"op":"mcm","pt":1000,"mc":[{"id":"1.1",{{Def()}},"rc":[
                {"id":11,"atb":[[2.0,10],[2.02,5]],"atl":[[2.06,4],[2.04,3]],"trd":[[2.02,7],[2.0,3]],"ltp":2.02},
                {"id":22,"atb":[[3.0,10]],"atl":[[3.1,3]]},{"id":58805,"atb":[[3.5,10]],"atl":[[3.6,3]]}],"tv":123.5}]}
                """);

            var json = cache.Find("1.1")!.ToMarketBookJson();
            var book = MarketBookReader.Read(json);

            Assert.Equal("1.1", book.MarketId);
            Assert.Equal("OPEN", book.Status);
            Assert.False(book.Inplay);
            Assert.Equal(123.5, book.TotalMatched);
            Assert.Equal([11L, 22L, 58805L], book.Runners.Select(r => r.SelectionId!.Value));
            Assert.Equal([new PriceSize(2.02, 5), new PriceSize(2.0, 10)], book.Runners[0].Back);
            Assert.Equal([new PriceSize(2.04, 3), new PriceSize(2.06, 4)], book.Runners[0].Lay);
            Assert.Equal(10.0, book.Runners[0].TotalMatched);
            var text = Encoding.UTF8.GetString(json);
            Assert.Contains("\"tradedVolume\":[{\"price\":2,\"size\":3},{\"price\":2.02,\"size\":7}]", text, StringComparison.Ordinal);
            Assert.Contains("\"lastPriceTraded\":2.02", text, StringComparison.Ordinal);
            Assert.Contains("\"lastMatchTime\":\"1970-01-01T00:00:01.000Z\"", text, StringComparison.Ordinal);

            var roles = RunnerRoles.FromSortPriority(cache.Find("1.1")!.Definition!.Runners.Select(r => (r.SelectionId, r.SortPriority ?? 0)));
            Assert.NotNull(MetricEngine.Compute(book, roles).Row);
        }

        [Fact]
        public void ToMarketBookJson_NoMarketTv_TotalIsSumOfRunners()
        {
            var cache = Apply("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"trd":[[2.0,10]]},{"id":22,"trd":[[3.0,2.5]]}]}]}""");

            Assert.Equal(12.5, MarketBookReader.Read(cache.Find("1.1")!.ToMarketBookJson()).TotalMatched);
        }

        [Fact]
        public void ToMarketBookJson_OnlyBestOffers_RendersLevelsAsLadder()
        {
            var cache = Apply("""{"op":"mcm","pt":1000,"mc":[{"id":"1.1","rc":[{"id":11,"batb":[[1,1.99,5],[0,2.0,10]],"batl":[[0,2.02,3]]}]}]}""");

            var runner = MarketBookReader.Read(cache.Find("1.1")!.ToMarketBookJson()).Runners[0];
            Assert.Equal([new PriceSize(2.0, 10), new PriceSize(1.99, 5)], runner.Back);
            Assert.Equal([new PriceSize(2.02, 3)], runner.Lay);
        }

        [Fact]
        public void ToMarketBookJson_TradedClearedAfterSuspension_KeepsLastVolume()
        {
            var cache = Apply(
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1",{{Def()}},"rc":[{"id":11,"trd":[[2.0,10],[2.02,5]]}],"tv":15}]}""",
                $$"""{"op":"mcm","pt":2000,"mc":[{"id":"1.1",{{Def("SUSPENDED", inPlay: true)}}}]}""",
                """{"op":"mcm","pt":3000,"mc":[{"id":"1.1","rc":[{"id":11,"trd":[[2.0,0],[2.02,0]]}],"tv":0}]}""",
                $$"""{"op":"mcm","pt":4000,"mc":[{"id":"1.1",{{Def("CLOSED", inPlay: true)}}}]}""");

            var market = cache.Find("1.1")!;
            var book = MarketBookReader.Read(market.ToMarketBookJson());
            Assert.Equal(0.0, market.FindRunner(11)!.TotalMatched);
            Assert.Equal("CLOSED", book.Status);
            Assert.Equal(15.0, book.TotalMatched);
            Assert.Equal(15.0, book.Runners[0].TotalMatched);
        }

        [Fact]
        public void ToMarketBookJson_ReopenedAfterSuspension_ShowsLiveLadderAgain()
        {
            var cache = Apply(
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1",{{Def()}},"rc":[{"id":11,"trd":[[2.0,10]]}]}]}""",
                $$"""{"op":"mcm","pt":2000,"mc":[{"id":"1.1",{{Def("SUSPENDED")}}}]}""",
                $$"""{"op":"mcm","pt":3000,"mc":[{"id":"1.1",{{Def()}},"rc":[{"id":11,"trd":[[2.0,9.5]]}]}]}""");

            Assert.Equal(9.5, MarketBookReader.Read(cache.Find("1.1")!.ToMarketBookJson()).Runners[0].TotalMatched);
        }
    }

    public sealed class Sampling
    {
        [Fact]
        public void Check_FirstBookThenIntervalsAndStatusChanges()
        {
            var cache = new StreamCache();
            var sampler = new SnapshotSampler(TimeSpan.FromSeconds(60));
            var triggers = new List<(long, SnapshotTrigger)>();
            string[] lines =
            [
                $$"""{"op":"mcm","pt":1000,"mc":[{"id":"1.1",{{Def()}}}]}""",
                """{"op":"mcm","pt":2000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,10]]}]}]}""",
                """{"op":"mcm","pt":30000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,11]]}]}]}""",
                """{"op":"mcm","pt":61000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,12]]}]}]}""",
                """{"op":"mcm","pt":62000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,13]]}]}]}""",
                $$"""{"op":"mcm","pt":63000,"mc":[{"id":"1.1",{{Def("SUSPENDED")}}}]}""",
                """{"op":"mcm","pt":200000,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,14]]}]}]}""",
            ];
            foreach (var line in lines)
            {
                var result = cache.Apply(Encoding.UTF8.GetBytes(line.ReplaceLineEndings("")));
                foreach (var market in cache.ChangedMarkets)
                {
                    var trigger = sampler.Check(market, result.PublishTime!.Value);
                    if (trigger != SnapshotTrigger.None)
                    {
                        sampler.Taken(market, result.PublishTime.Value);
                        triggers.Add((result.PublishTime.Value, trigger));
                    }
                }
            }

            Assert.Equal(
                [(2000, SnapshotTrigger.First), (61000, SnapshotTrigger.Interval), (63000, SnapshotTrigger.StatusChange), (200000, SnapshotTrigger.Interval)],
                triggers);
        }
    }
}
