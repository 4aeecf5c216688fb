using NetBet.Core.Books;

namespace NetBet.Core.Tests.Books;

public sealed class PriceLadderTests
{
    [Fact]
    public void All_Always_Has350TicksFrom101To1000Ascending()
    {
        Assert.Equal(350, PriceLadder.Count);
        Assert.Equal(1.01, PriceLadder.At(0));
        Assert.Equal(1000, PriceLadder.At(PriceLadder.Count - 1));
        Assert.Equal(PriceLadder.All.Order(), PriceLadder.All);
        Assert.Equal(350, PriceLadder.All.Distinct().Count());
    }

    [Theory]
    [InlineData(1.01, true)]
    [InlineData(2.0, true)]
    [InlineData(2.02, true)]
    [InlineData(2.01, false)] // 0.02 ticks from 2 to 3
    [InlineData(3.05, true)]
    [InlineData(3.02, false)]
    [InlineData(4.1, true)]
    [InlineData(6.2, true)]
    [InlineData(6.1, false)]
    [InlineData(7.01, false)]
    [InlineData(10.5, true)]
    [InlineData(21, true)]
    [InlineData(21.5, false)]
    [InlineData(32, true)]
    [InlineData(33, false)]
    [InlineData(55, true)]
    [InlineData(110, true)]
    [InlineData(115, false)]
    [InlineData(1000, true)]
    [InlineData(1.0, false)]
    [InlineData(1010, false)]
    [InlineData(1.001, false)]
    public void Contains_PriceAndMicros_AgreeWithTheLadder(double price, bool expected)
    {
        Assert.Equal(expected, PriceLadder.Contains(price));
        Assert.Equal(expected, PriceLadder.ContainsMicros((long)Math.Round((decimal)price * PriceLadder.MicrosPerUnit)));
    }

    [Fact]
    public void ContainsMicros_EveryMicroFrom1To1000_Finds350Ticks()
    {
        var found = 0;
        for (var micros = 0L; micros <= PriceLadder.MaxMicros + 20_000; micros += 10_000)
        {
            found += PriceLadder.ContainsMicros(micros) ? 1 : 0;
        }

        Assert.Equal(350, found);
        Assert.False(PriceLadder.ContainsMicros(2_020_001));
    }

    [Theory]
    [InlineData(1_010_000, true)]
    [InlineData(2_010_000, true)]
    [InlineData(999_990_000, true)]
    [InlineData(1_000_000_000, true)]
    [InlineData(1_000_000, false)]
    [InlineData(1_000_010_000, false)]
    [InlineData(2_015_000, false)]
    [InlineData(-2_000_000, false)]
    public void IsFinestMicros_HundredthsFrom101To1000(long micros, bool expected) =>
        Assert.Equal(expected, PriceLadder.IsFinestMicros(micros));

    [Theory]
    [InlineData(2.01, 2.0, 2.02)]
    [InlineData(2.02, 2.02, 2.02)]
    [InlineData(0.5, 1.01, 1.01)]
    [InlineData(5000, 1000, 1000)]
    public void IndexAtOrBelowAndAbove_ClampToTheLadder(double price, double below, double above)
    {
        Assert.Equal(below, PriceLadder.At(PriceLadder.IndexAtOrBelow(price)));
        Assert.Equal(above, PriceLadder.At(PriceLadder.IndexAtOrAbove(price)));
    }
}
