using System.Buffers;
using System.Text;
using System.Text.Json;
using NetBet.Core.Books;
using NetBet.Core.Stream;

namespace NetBet.Core.Tests.Stream;

public sealed class MarketBookJsonWriterTests
{
    [Theory]
    [InlineData(1.01)]
    [InlineData(2.02)]
    [InlineData(1000)]
    [InlineData(0.01)]
    [InlineData(0.0001)]
    [InlineData(0.00001)]
    [InlineData(0.1 + 0.2)]
    [InlineData(123456.78)]
    [InlineData(999999999.999999)]
    [InlineData(1e9)]
    [InlineData(1e15)]
    [InlineData(0)]
    [InlineData(-2.5)]
    public void WriteNumber_Value_WritesWhatTheWriterWrites(double value) =>
        Assert.Equal(WrittenByTheWriter(value), WrittenFast(value));

    [Fact]
    public void WriteNumber_LadderPricesAndRandomSizes_WritesWhatTheWriterWrites()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, PriceLadder.Count).Select(PriceLadder.At)
            .Concat(Enumerable.Range(0, 100_000).Select(_ => Math.Round(random.NextDouble() * 1e6, random.Next(0, 7))))
            .Concat(Enumerable.Range(0, 10_000).Select(_ => random.NextDouble() * 1000))
            .Concat(Enumerable.Range(0, 10_000).Select(_ => Math.Round(random.NextDouble() * 50, 2) + Math.Round(random.NextDouble() * 50, 2)));
        foreach (var value in values)
        {
            Assert.Equal(WrittenByTheWriter(value), WrittenFast(value));
        }
    }

    private static string WrittenByTheWriter(double value) =>
        Write(writer => writer.WriteNumber("size"u8, value));

    private static string WrittenFast(double value) =>
        Write(writer => MarketBookJsonWriter.WriteNumber(writer, "size"u8, value));

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
