using System.Globalization;
using System.Text;
using NetBet.Data.Export;

namespace NetBet.Data.Tests.Export;

/// <summary>The CSV value writers produce exactly .NET's invariant text, over millions of values of every shape.</summary>
public sealed class CsvValuesTests
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-1.5)]
    [InlineData(2.04)]
    [InlineData(0.1)]
    [InlineData(0.0001)]
    [InlineData(0.00012)]
    [InlineData(0.00001)]
    [InlineData(0.000012345)]
    [InlineData(1e14)]
    [InlineData(99999999999999.9)]
    [InlineData(1e15)]
    [InlineData(123456789012345.6)]
    [InlineData(1e16)]
    [InlineData(1e300)]
    [InlineData(5e-324)]
    [InlineData(double.MaxValue)]
    [InlineData(double.MinValue)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1000.0)]
    [InlineData(1.01)]
    [InlineData(1000.0001)]
    [InlineData(0.30000000000000004)]
    public void WriteReal_Edges_AsDotNetFormats(double value) => AssertReal(value);

    [Fact]
    public void WriteReal_NegativeZero_AsDotNetFormats() => AssertReal(-0.0); // "-0"; InlineData takes it for 0

    [Fact]
    public void WriteReal_RandomValuesOfEveryShape_AsDotNetFormats()
    {
        var random = new Random(20261129);
        for (var i = 0; i < 2_000_000; i++)
        {
            var sign = random.Next(2) == 0 ? 1 : -1;
            var value = (i % 6) switch
            {
                0 => random.NextDouble() * Math.Pow(10, random.Next(-8, 18)), // full precision, any magnitude
                1 => Math.Round(random.NextDouble() * 1000, random.Next(0, 5)), // prices, sizes, stakes
                2 => Math.Round(random.NextDouble() * 1000, 2) - Math.Round(random.NextDouble() * 1000, 2), // spreads
                3 => random.Next(1, 1_000_000) / Math.Pow(10, random.Next(0, 12)), // short decimals, tiny to large
                4 => BitConverter.Int64BitsToDouble(random.NextInt64()), // any bit pattern
                _ => Math.Round(random.NextDouble() * 1e15, random.Next(0, 3)), // near the 15-digit edge
            };
            AssertReal(sign * value);
        }
    }

    [Fact]
    public void WriteTimestamp_RandomInstants_AsDotNetFormats()
    {
        var random = new Random(7);
        var buffer = new byte[CsvValues.MaxBytes];
        for (var i = 0; i < 500_000; i++)
        {
            var ticks = (i % 4) switch
            {
                0 => random.NextInt64(TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay), // any tick, 7th digit included
                1 => random.NextInt64(0, 100_000_000_000L) * 10, // microseconds, as PostgreSQL stores them
                2 => random.NextInt64(0, 100_000_000_000L) * TimeSpan.TicksPerSecond, // whole seconds
                _ => (random.NextInt64(0, 100_000_000_000L) * TimeSpan.TicksPerSecond) + (random.Next(1, 1000) * TimeSpan.TicksPerMillisecond),
            };
            var at = new DateTimeOffset(i % 4 == 0 ? ticks : DateTime.UnixEpoch.Ticks + ticks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(random.Next(-12, 13) * 30 % 840));
            var expected = at.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

            var written = CsvValues.WriteTimestamp(at.UtcDateTime, buffer);

            Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, written));
        }
    }

    private static void AssertReal(double value)
    {
        var buffer = new byte[CsvValues.MaxBytes];
        Assert.True(value.TryFormat(buffer, out var length, default, CultureInfo.InvariantCulture));
        var expected = Encoding.UTF8.GetString(buffer, 0, length);

        var written = CsvValues.WriteReal(value, buffer);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer, 0, written));
    }
}
