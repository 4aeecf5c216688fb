using System.Globalization;
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
}
