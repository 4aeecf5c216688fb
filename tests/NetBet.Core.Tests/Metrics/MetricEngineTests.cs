using NetBet.Core.Books;
using NetBet.Core.Metrics;
using static NetBet.Core.Tests.TestBooks;

namespace NetBet.Core.Tests.Metrics;

public sealed class MetricEngineTests
{
    private static DerivedRow Row(MarketBook book) => Assert.IsType<DerivedRow>(MetricEngine.Compute(book, Roles).Row);

    public sealed class SkipTests
    {
        [Fact]
        public void Compute_NoMarketId_SkipsWithNoMarketId()
        {
            var book = Simple() with { MarketId = null };
            Assert.Equal(SkipReason.NoMarketId, MetricEngine.Compute(book, Roles).Skip);
        }

        [Fact]
        public void Compute_TwoRunners_SkipsWithFewerThanThreeRunners()
        {
            var book = Book(Runner(1), Runner(2));
            Assert.Equal(SkipReason.FewerThanThreeRunners, MetricEngine.Compute(book, Roles).Skip);
        }

        [Fact]
        public void Compute_NoRoles_SkipsWithRolesIncomplete()
        {
            Assert.Equal(SkipReason.RolesIncomplete, MetricEngine.Compute(Simple(), null).Skip);
        }

        [Fact]
        public void Compute_RoleRunnerAbsent_SkipsWithRoleRunnerMissing()
        {
            var result = MetricEngine.Compute(Simple(), new RunnerRoles(1, 2, 99));
            Assert.Null(result.Row);
            Assert.Equal(SkipReason.RoleRunnerMissing, result.Skip);
        }
    }

    public sealed class ImbalanceTests
    {
        [Fact]
        public void Risk_UsesFirstThreeLevelsAsListed_WithoutFilter()
        {
            // HOME: 4th level ignored; invalid price 1.0 and negative size enter as they are.
            var book = Book(
                Runner(1, Levels((2.0, 10), (1.0, 500), (3.0, -2), (100, 1000))),
                Runner(2, Levels((3.0, 5))),
                Runner(3));
            var row = Row(book);
            var h = (10 * 1.0) + (500 * 0.0) + (-2 * 2.0);
            var a = 5 * 2.0;
            Assert.Equal(h - (a + 0.0), row["home_risk"]);
            Assert.Equal(a - (h + 0.0), row["away_risk"]);
            Assert.Equal(0.0 - (h + a), row["draw_risk"]);
        }

        [Fact]
        public void Risk_DuplicateRunner_LastOccurrenceWins()
        {
            var book = Book(
                Runner(1, Levels((2.0, 10))),
                Runner(2),
                Runner(3),
                Runner(1, Levels((5.0, 1))));
            Assert.Equal(4.0, Row(book)["home_risk"]);
        }

        [Fact]
        public void TotalVolume_MarketTotalNull_SumsEveryRunnerEntryIncludingDuplicates()
        {
            var book = BookWithTotal(null, Runner(1, totalMatched: 10), Runner(2, totalMatched: null), Runner(3, totalMatched: 5), Runner(1, totalMatched: 7));
            Assert.Equal(22.0, Row(book).TotalVolume);
        }

        [Fact]
        public void TotalVolume_MarketTotalZero_UsesZero()
        {
            var book = BookWithTotal(0.0, Runner(1, totalMatched: 10), Runner(2), Runner(3));
            Assert.Equal(0.0, Row(book).TotalVolume);
        }
    }

    public sealed class BookRiskTests
    {
        [Fact]
        public void BookRiskL3_WinSkipsNonPositiveSizes_StakeSumsEverySize()
        {
            var book = Book(
                Runner(1, Levels((2.0, 10), (3.0, -4), (4.0, 0))),
                Runner(2, Levels((5.0, 2))),
                Runner(3, Levels((1.5, 6))));
            var row = Row(book);
            // W[H] = 10, S[H] = 6; W[A] = 8, S[A] = 2; W[D] = 3, S[D] = 6.
            Assert.Equal(10.0 - (2.0 + 6.0), row["home_book_risk_l3"]);
            Assert.Equal(8.0 - (6.0 + 6.0), row["away_book_risk_l3"]);
            Assert.Equal(3.0 - (6.0 + 2.0), row["draw_book_risk_l3"]);
        }
    }

    public sealed class BestPriceTests
    {
        [Fact]
        public void BestPrices_EmptyLaySide_SpreadIsMinusBestBack()
        {
            var book = Book(Runner(1, Levels((2.5, 10))), Runner(2), Runner(3));
            var row = Row(book);
            Assert.Equal(0.0, row["home_best_lay"]);
            Assert.Equal(-2.5, row["home_spread"]);
            Assert.Equal(0.0, row["away_spread"]);
        }

        [Theory]
        [InlineData(1.0, 10.0)]
        [InlineData(0.5, 10.0)]
        [InlineData(2.0, 0.0)]
        [InlineData(2.0, -3.0)]
        public void BestBackSizeL1_InvalidLevel_SizeZeroPriceKept(double price, double size)
        {
            var book = Book(Runner(1, Levels((price, size), (1.9, 50))), Runner(2), Runner(3));
            var row = Row(book);
            Assert.Equal(price, row["home_best_back"]);
            Assert.Equal(0.0, row["home_best_back_size_l1"]);
        }
    }

    public sealed class ImpedanceTests
    {
        [Fact]
        public void Impedance_FourthUnmappedRunner_ChangesEveryImpedanceAndScale()
        {
            var three = Row(Simple());
            var withFourth = Simple() with
            {
                Runners = [.. Simple().Runners, Runner(4, Levels((10.0, 100)), Levels((11.0, 50)))],
                RunnerEntryCount = 4,
            };
            var four = Row(withFourth);
            Assert.NotEqual(three["home_impedance"], four["home_impedance"]);
            Assert.NotEqual(three["away_impedance_norm"], four["away_impedance_norm"]);
            Assert.Equal(three["home_back_stake"], four["home_back_stake"]);
        }

        [Fact]
        public void Vwap_SkipsInvalidLevelsWithinTheFirstFour()
        {
            // Level 2 is invalid (price 1) but still uses up one of the 4; level 5 is beyond the depth.
            var book = Book(
                Runner(1, Levels((2.0, 10), (1.0, 99), (3.0, 10), (4.0, -1), (5.0, 1000))),
                Runner(2),
                Runner(3));
            var row = Row(book);
            Assert.Equal(20.0, row["home_back_stake"]);
            Assert.Equal(Math.Round((double)(50m / (20m + 0.000000001m)), 8), row["home_back_odds"]);
        }

        [Fact]
        public void Vwap_TinyStake_EpsLowersOdds()
        {
            var book = Book(Runner(1, Levels((1000.0, 0.01))), Runner(2), Runner(3));
            Assert.Equal(999.9999, Row(book)["home_back_odds"]);
        }

        [Fact]
        public void Impedance_NoValidLiquidity_AllZero()
        {
            var book = Book(Runner(1, Levels((1.0, 10))), Runner(2, Levels((2.0, 0))), Runner(3));
            var row = Row(book);
            foreach (var outcome in new[] { "home", "away", "draw" })
            {
                Assert.Equal(0.0, row[$"{outcome}_impedance"]);
                Assert.Equal(0.0, row[$"{outcome}_impedance_norm"]);
                Assert.Equal(0.0, row[$"{outcome}_back_odds"]);
            }
        }

        [Fact]
        public void Impedance_DuplicateRunner_FirstOccurrenceWins()
        {
            var book = Book(
                Runner(1, Levels((2.0, 10))),
                Runner(2),
                Runner(3),
                Runner(1, Levels((5.0, 1))));
            var row = Row(book);
            Assert.Equal(10.0, row["home_back_stake"]);
            Assert.Equal(5.0, row["home_best_back"]); // best prices: the last occurrence
        }

        [Fact]
        public void Impedance_MatchesFormula()
        {
            // HOME back 10 @ 3.0, lay 4 @ 2.5; AWAY back 6 @ 2.0; DRAW lay 2 @ 4.0.
            var book = Book(
                Runner(1, Levels((3.0, 10)), Levels((2.5, 4))),
                Runner(2, Levels((2.0, 6))),
                Runner(3, [], Levels((4.0, 2))));
            var eps = 0.000000001m;
            decimal Odds(decimal price, decimal stake) => price * stake / (stake + eps);
            var hBackOdds = Odds(3.0m, 10m);
            var hLayOdds = Odds(2.5m, 4m);
            var impedanceHome = -((((hLayOdds - 1) * 4m) - ((hBackOdds - 1) * 10m)) + (6m - 0m) + (0m - 2m));
            var scale = 10m + 6m + 0m + 4m + 0m + 2m;
            var row = Row(book);
            Assert.Equal(Math.Round((double)impedanceHome, 8), row["home_impedance"]);
            Assert.Equal(Math.Round((double)(impedanceHome / scale), 8), row["home_impedance_norm"]);
        }
    }

    public sealed class ColumnTests
    {
        [Fact]
        public void Compute_ValidBook_FillsEveryColumn()
        {
            var row = Row(Simple());
            Assert.Equal(MetricColumns.Count, row.Values.Count);
            Assert.All(row.Values, v => Assert.NotNull(v));
        }
    }
}
