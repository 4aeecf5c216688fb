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
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Impedance.ToDecimal(value));
    }
}
