using System.Text;
using NetBet.Core.Books;

namespace NetBet.Core.Tests.Books;

public sealed class BookLadderTests
{
    private const string Payload = """
        {"marketId":"1.2","status":"OPEN","runners":[
          {"selectionId":9,"status":"ACTIVE","ex":{"availableToBack":[{"price":5,"size":1}]}},
          {"selectionId":2,"status":"ACTIVE","totalMatched":40,"ex":{
            "availableToBack":[{"price":3.0,"size":10},{"price":2.98,"size":20},null],
            "availableToLay":[[3.05,7],[3.1,8]],
            "tradedVolume":[{"price":2.98,"size":100},{"price":3.05,"size":30.5}]}},
          {"selectionId":1,"status":"ACTIVE","ex":{"availableToBack":[],"availableToLay":[{"price":1.5,"size":2}]}}]}
        """;

    private static readonly RunnerRoles Roles = new(Home: 1, Away: 2, Draw: 3);

    private static MarketBook Read(bool traded = true) => MarketBookReader.Read(Encoding.UTF8.GetBytes(Payload), includeTradedVolume: traded);

    public sealed class ReaderTests
    {
        [Fact]
        public void Read_TradedVolumeAskedFor_ReadsItAsListed()
        {
            var runner = Read().Runners[1];
            Assert.Equal([new PriceSize(2.98, 100), new PriceSize(3.05, 30.5)], runner.TradedVolume);
            Assert.Empty(Read().Runners[2].TradedVolume!);
        }

        [Fact]
        public void Read_TradedVolumeNotAskedFor_IsNull()
        {
            Assert.Null(Read(traded: false).Runners[1].TradedVolume);
        }

        [Fact]
        public void Read_BadTradedLevel_ErrorNamesThePath()
        {
            var json = """{"runners":[{"selectionId":1,"ex":{"tradedVolume":[{"price":2,"Size":1}]}}]}""";
            var error = Assert.Throws<MarketBookFormatException>(() => MarketBookReader.Read(Encoding.UTF8.GetBytes(json), includeTradedVolume: true));
            Assert.Equal("$.runners[0].ex.tradedVolume[0].Size", error.JsonPath);
        }
    }

    public sealed class LevelsTests
    {
        [Fact]
        public void Levels_Always_ListsEverySideInPayloadOrderWithRoles()
        {
            var levels = BookLadder.Levels(Read(), Roles).ToList();

            Assert.Equal(
                [
                    new LadderLevel(9, null, LadderSide.Back, 1, 5, 1),
                    new LadderLevel(2, Outcome.Away, LadderSide.Back, 1, 3.0, 10),
                    new LadderLevel(2, Outcome.Away, LadderSide.Back, 2, 2.98, 20),
                    new LadderLevel(2, Outcome.Away, LadderSide.Back, 3, 0, 0),
                    new LadderLevel(2, Outcome.Away, LadderSide.Lay, 1, 3.05, 7),
                    new LadderLevel(2, Outcome.Away, LadderSide.Lay, 2, 3.1, 8),
                    new LadderLevel(2, Outcome.Away, LadderSide.Traded, 1, 2.98, 100),
                    new LadderLevel(2, Outcome.Away, LadderSide.Traded, 2, 3.05, 30.5),
                    new LadderLevel(1, Outcome.Home, LadderSide.Lay, 1, 1.5, 2),
                ],
                levels);
        }

        [Fact]
        public void Levels_RolesUnknown_NoRole()
        {
            Assert.All(BookLadder.Levels(Read(), roles: null), level => Assert.Null(level.Role));
        }

        [Theory]
        [InlineData(LadderSide.Back, "back")]
        [InlineData(LadderSide.Lay, "lay")]
        [InlineData(LadderSide.Traded, "traded")]
        public void Name_Side_LowerCaseWord(LadderSide side, string name) => Assert.Equal(name, BookLadder.Name(side));
    }

    public sealed class ByRunnerTests
    {
        [Fact]
        public void ByRunner_RolesKnown_HomeAwayThenOthers()
        {
            var ladders = BookLadder.ByRunner(Read(), Roles);
            Assert.Equal([1L, 2L, 9L], ladders.Select(l => l.SelectionId!.Value));
            Assert.Equal([Outcome.Home, Outcome.Away, null], ladders.Select(l => l.Role));
        }

        [Fact]
        public void ByRunner_MergesSidesByPriceHighestFirstAndMarksBest()
        {
            var away = BookLadder.ByRunner(Read(), Roles)[1];

            Assert.Equal(3.0, away.BestBack);
            Assert.Equal(3.05, away.BestLay);
            Assert.Equal(40, away.TotalMatched);
            Assert.Equal(
                [
                    new LadderPrice(3.1, null, 8, null, false, false),
                    new LadderPrice(3.05, null, 7, 30.5, false, true),
                    new LadderPrice(3.0, 10, null, null, true, false),
                    new LadderPrice(2.98, 20, null, 100, false, false),
                ],
                away.Prices);
        }

        [Fact]
        public void ByRunner_EmptySide_BestIsNoPriceNotZero()
        {
            var home = BookLadder.ByRunner(Read(), Roles)[0];
            Assert.Null(home.BestBack);
            Assert.Equal(1.5, home.BestLay);
        }
    }
}
