using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Core.Tests.Metrics;

public sealed class OutcomeFormulasTests
{
    /// <summary>A row whose best back price and L1 size per outcome are given; every other column is null.</summary>
    private static double?[] Row(double? homeOdds, double? homeSize, double? awayOdds, double? awaySize, double? drawOdds, double? drawSize)
    {
        var values = new double?[MetricColumns.Count];
        void Set(Outcome o, double? odds, double? size)
        {
            values[MetricColumns.IndexOf(o, OutcomeMetric.BestBack)] = odds;
            values[MetricColumns.IndexOf(o, OutcomeMetric.BestBackSizeL1)] = size;
        }

        Set(Outcome.Home, homeOdds, homeSize);
        Set(Outcome.Away, awayOdds, awaySize);
        Set(Outcome.Draw, drawOdds, drawSize);
        return values;
    }

    public sealed class ProfitTests
    {
        [Theory]
        [InlineData(100.0, 2.5, 150.0)]
        [InlineData(10.0, 1.01, 0.1)]
        [InlineData(0.0, 3.0, 0.0)]
        [InlineData(250.0, 1.0, 0.0)]
        public void BackProfit_StakeAndOdds_IsStakeTimesOddsMinusOne(double stake, double odds, double expected)
        {
            Assert.Equal(expected, OutcomeFormulas.BackProfit(stake, odds)!.Value, 9);
            Assert.Equal(expected, OutcomeFormulas.LayLiability(stake, odds)!.Value, 9);
        }

        [Theory]
        [InlineData(null, 2.0)]
        [InlineData(100.0, null)]
        [InlineData(null, null)]
        public void BackProfitAndLayLiability_NullInput_AreNull(double? stake, double? odds)
        {
            Assert.Null(OutcomeFormulas.BackProfit(stake, odds));
            Assert.Null(OutcomeFormulas.LayLiability(stake, odds));
        }

        [Fact]
        public void RowOverloads_ReadTheOutcomesOwnColumns()
        {
            var values = new double?[MetricColumns.Count];
            values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.BackStake)] = 40;
            values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.BackOdds)] = 3;
            values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.LayStake)] = 10;
            values[MetricColumns.IndexOf(Outcome.Away, OutcomeMetric.LayOdds)] = 5;

            Assert.Equal(80, OutcomeFormulas.BackProfit(values, Outcome.Away));
            Assert.Equal(40, OutcomeFormulas.LayLiability(values, Outcome.Away));
            Assert.Null(OutcomeFormulas.BackProfit(values, Outcome.Home));
            Assert.Null(OutcomeFormulas.LayLiability(values, Outcome.Draw));
        }
    }

    public sealed class SizeImpedanceL1Tests
    {
        // Terms size × (odds − 1): home 100 × 1.5 = 150, away 50 × 3 = 150, draw 20 × 2.5 = 50.
        [Theory]
        [InlineData(Outcome.Home, -50.0)]
        [InlineData(Outcome.Away, -50.0)]
        [InlineData(Outcome.Draw, -250.0)]
        public void SizeImpedanceL1_AllInputs_IsOwnTermMinusTheOtherTwo(Outcome outcome, double expected)
        {
            var values = Row(2.5, 100, 4.0, 50, 3.5, 20);

            Assert.Equal(expected, OutcomeFormulas.SizeImpedanceL1(values, outcome)!.Value, 9);
        }

        [Fact]
        public void SizeImpedanceL1_OneDominantOutcome_IsPositiveForItOnly()
        {
            var values = Row(2.0, 1000, 5.0, 10, 4.0, 10);

            Assert.Equal(1000 - 40 - 30, OutcomeFormulas.SizeImpedanceL1(values, Outcome.Home)!.Value, 9);
            Assert.True(OutcomeFormulas.SizeImpedanceL1(values, Outcome.Away) < 0);
        }

        [Fact]
        public void SizeImpedanceL1_EmptyBackSide_CountsAsZeroTerm()
        {
            // The engine stores an empty back side as price 0 and size 0: 0 × (0 − 1) is 0, not a null.
            var values = Row(0, 0, 3.0, 10, 2.0, 10);

            Assert.Equal(-30, OutcomeFormulas.SizeImpedanceL1(values, Outcome.Home)!.Value, 9);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        [InlineData(5)]
        public void SizeImpedanceL1_AnyInputNull_IsNullForEveryOutcome(int nullInput)
        {
            var inputs = new double?[] { 2.5, 100, 4.0, 50, 3.5, 20 };
            inputs[nullInput] = null;
            var values = Row(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5]);

            Assert.All(MetricColumns.Outcomes, o => Assert.Null(OutcomeFormulas.SizeImpedanceL1(values, o)));
        }

        [Fact]
        public void SizeImpedanceL1_EngineRow_MatchesTheFormulaOnItsColumns()
        {
            var row = MetricEngine.Compute(TestBooks.Simple(), TestBooks.Roles).Row!;
            double Term(Outcome o) =>
                row.Get(o, OutcomeMetric.BestBackSizeL1)!.Value * (row.Get(o, OutcomeMetric.BestBack)!.Value - 1);

            Assert.Equal(
                Term(Outcome.Draw) - Term(Outcome.Home) - Term(Outcome.Away),
                OutcomeFormulas.SizeImpedanceL1(row.Values, Outcome.Draw)!.Value,
                9);
        }
    }

    public sealed class ColumnNameTests
    {
        [Fact]
        public void Name_EveryOutcomeMetric_IsPrefixUnderscoreSuffixAtItsIndex()
        {
            foreach (var outcome in MetricColumns.Outcomes)
            {
                foreach (var metric in MetricColumns.Metrics)
                {
                    var name = MetricColumns.Name(outcome, metric);
                    Assert.Equal($"{MetricColumns.Prefix(outcome)}_{MetricColumns.Suffix(metric)}", name);
                    Assert.Equal(MetricColumns.IndexOf(outcome, metric), MetricColumns.IndexOf(name));
                }
            }

            Assert.Equal(MetricColumns.Count - 1, MetricColumns.Outcomes.Count * MetricColumns.Metrics.Count);
        }
    }
}
