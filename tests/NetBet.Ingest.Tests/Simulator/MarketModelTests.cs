using System.Text;
using System.Text.Json;
using NetBet.Core.Books;
using NetBet.Exchange;

namespace NetBet.Ingest.Tests.Simulator;

public sealed class MarketModelTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 3, 0, TimeSpan.Zero);

    [Fact]
    public void PriceLadder_Always_HasBetfairsTicks()
    {
        Assert.Equal(350, PriceLadder.Count);
        Assert.Equal(1.01, PriceLadder.At(0));
        Assert.Equal(1000, PriceLadder.At(PriceLadder.Count - 1));
        double[] expected = [1.99, 2.0, 2.02, 2.98, 3.0, 3.05, 3.95, 4.0, 4.1, 5.9, 6.0, 6.2, 9.8, 10, 10.5, 19.5, 20, 21, 29, 30, 32, 48, 50, 55, 95, 100, 110, 990];
        Assert.All(expected, price => Assert.True(PriceLadder.Contains(price), $"{price} should be a tick"));
        double[] notTicks = [2.01, 3.01, 4.05, 6.1, 10.2, 20.5, 31, 52, 105, 1010];
        Assert.All(notTicks, price => Assert.False(PriceLadder.Contains(price), $"{price} should not be a tick"));
    }

    [Fact]
    public void Books_OverASimulatedDay_AreOnTheLadderNeverCrossedAndWellFormed()
    {
        var model = new MarketModel(60, seed: 7, Start);
        var statuses = new HashSet<string>();
        var sawInplay = false;
        for (var minute = 0; minute <= 11 * 60; minute += 7)
        {
            var now = Start.AddMinutes(minute);
            foreach (var market in model.Markets)
            {
                var book = MarketBookReader.Read(BookJson(model, market, now));
                statuses.Add(book.Status!);
                sawInplay |= book.Inplay == true;
                Assert.Equal(3, book.Runners.Count);
                foreach (var runner in book.Runners)
                {
                    AssertLadder(runner, book.Status!);
                }
            }
        }

        Assert.Superset(new HashSet<string> { "OPEN", "SUSPENDED", "CLOSED" }, statuses);
        Assert.True(sawInplay);
    }

    [Fact]
    public void Books_SameSeedAndStart_AreIdenticalWhateverWasAskedBefore()
    {
        var a = new MarketModel(12, seed: 3, Start);
        var b = new MarketModel(12, seed: 3, Start);
        var later = Start.AddHours(3);
        // b is asked for a later minute first, then an earlier one: the model must rewind, not drift.
        _ = BookJson(b, b.Markets[5], later.AddHours(2));
        foreach (var market in a.Markets)
        {
            Assert.Equal(Encoding.UTF8.GetString(BookJson(a, market, later)), Encoding.UTF8.GetString(BookJson(b, b.Markets[market.Index], later)));
        }
    }

    [Fact]
    public void Books_DifferentSeeds_Differ()
    {
        var a = new MarketModel(12, seed: 3, Start);
        var b = new MarketModel(12, seed: 4, Start);
        var now = Start.AddMinutes(30);
        Assert.Contains(a.Markets, m => !BookJson(a, m, now).AsSpan().SequenceEqual(BookJson(b, b.Markets[m.Index], now)));
    }

    [Fact]
    public void Markets_Always_HaveThreeRolesAndStaggeredKickOffs()
    {
        var model = new MarketModel(60, seed: 1, Start);
        Assert.Equal(60, model.Markets.Select(m => m.MarketId).Distinct().Count());
        Assert.True(model.Markets.Select(m => m.Competition.Id).Distinct().Count() >= 5);
        Assert.All(model.Markets, m => Assert.NotEqual(m.Home.SelectionId, m.Away.SelectionId));
        Assert.True(model.Markets.Min(m => m.KickOff) <= Start.AddMinutes(-45));
        Assert.True(model.Markets.Max(m => m.KickOff) >= Start.AddHours(5));
    }

    [Fact]
    public void TotalMatched_Always_GrowsUntilTheMarketCloses()
    {
        var model = new MarketModel(6, seed: 2, Start);
        foreach (var market in model.Markets)
        {
            var previous = 0.0;
            for (var minute = 0; minute < 8 * 60; minute += 13)
            {
                var matched = MarketBookReader.Read(BookJson(model, market, Start.AddMinutes(minute))).TotalMatched!.Value;
                Assert.True(matched >= previous, $"{market.MarketId} at +{minute} min: {matched} < {previous}");
                previous = matched;
            }
        }
    }

    internal static void AssertLadder(RunnerBook runner, string status)
    {
        if (status == "OPEN")
        {
            Assert.InRange(runner.Back.Count, 1, 10);
            Assert.InRange(runner.Lay.Count, 1, 10);
            Assert.True(runner.Back[0].Price < runner.Lay[0].Price, $"crossed: back {runner.Back[0].Price} >= lay {runner.Lay[0].Price}");
        }

        Assert.All(runner.Back.Concat(runner.Lay), level =>
        {
            Assert.True(PriceLadder.Contains(level.Price), $"{level.Price} is not on the ladder");
            Assert.True(level.Size > 0);
            Assert.Equal(Math.Round(level.Size, 2), level.Size);
        });
        for (var i = 1; i < runner.Back.Count; i++)
        {
            Assert.True(runner.Back[i].Price < runner.Back[i - 1].Price, "back prices must fall");
        }

        for (var i = 1; i < runner.Lay.Count; i++)
        {
            Assert.True(runner.Lay[i].Price > runner.Lay[i - 1].Price, "lay prices must rise");
        }
    }

    private static byte[] BookJson(MarketModel model, SimulatedMarket market, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            model.WriteBook(json, market, now, depth: null);
        }

        return buffer.ToArray();
    }
}
