using System.Globalization;
using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Core.Tests.Metrics;

public sealed class ImpedanceDecimalTests
{
    [Theory]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(2.06, "2.06")]
    [InlineData(1e-5, "0.00001")]
    [InlineData(123456789.12, "123456789.12")]
    [InlineData(1000.0, "1000")]
    public void ToDecimal_IsTheShortestRoundTripText(double value, string expected)
    {
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), Impedance.ToDecimal(value));
    }

    // ToDecimal's cents fast path stands for (double)decimal by (double)cents / 100.0: check that on the runtime in
    // use, with the general parse of the round-trip text as the reference.
    [Fact]
    public void ToDecimal_MatchesTheRoundTripText_ForRandomCents()
    {
        var random = new Random(20261129);
        for (var i = 0; i < 200_000; i++)
        {
            var cents = random.NextInt64(0, i % 2 == 0 ? 1_000_000 : 100_000_000_000_000);
            var value = (i % 4 < 2 ? 1 : -1) * (cents / 100.0);
            var expected = decimal.Parse(value.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
            Assert.Equal(expected, Impedance.ToDecimal(value));
            Assert.Equal((double)expected, value);
        }
    }

    // The cents fast path must give the very decimals (value and scale) the decimal sums give, for Betfair-shaped
    // sides and for the values it hands back to the decimal path.
    [Fact]
    public void Vwap_InCents_IsBitForBitTheDecimalVwap()
    {
        var random = new Random(7);
        double[] odd = [0, -1, 1, 1.001, 0.005, 1e-9, 3e9, 2e7 + 0.01, 123456.789, 0.1 + 0.2, 1e9];
        for (var i = 0; i < 50_000; i++)
        {
            var side = new PriceSize[random.Next(0, 7)];
            for (var l = 0; l < side.Length; l++)
            {
                var price = random.Next(100, 100_100) / 100.0;
                var size = random.Next(0, 10) == 0 ? odd[random.Next(odd.Length)] : Math.Round(random.NextDouble() * random.NextDouble() * 5000, 2);
                side[l] = new PriceSize(random.Next(0, 20) == 0 ? odd[random.Next(odd.Length)] : price, size);
            }

            var fast = Impedance.Vwap(side);
            var slow = Impedance.VwapInDecimal(side);
            Assert.Equal(decimal.GetBits(slow.Stake), decimal.GetBits(fast.Stake));
            Assert.Equal(decimal.GetBits(slow.Odds), decimal.GetBits(fast.Odds));
        }
    }
}
