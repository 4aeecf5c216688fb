using NetBet.Core.Books;

namespace NetBet.Core.Tests;

/// <summary>Small builders for hand-made books in unit tests.</summary>
internal static class TestBooks
{
    public static readonly RunnerRoles Roles = new(1, 2, 3);

    public static PriceSize[] Levels(params (double Price, double Size)[] levels) =>
        [.. levels.Select(l => new PriceSize(l.Price, l.Size))];

    public static RunnerBook Runner(long? id, PriceSize[]? back = null, PriceSize[]? lay = null, double? totalMatched = null) =>
        new(id, "ACTIVE", totalMatched, back ?? [], lay ?? []);

    public static MarketBook Book(params RunnerBook[] runners) => BookWithTotal(1000.0, runners);

    public static MarketBook BookWithTotal(double? totalMatched, params RunnerBook[] runners) =>
        new("1.100", "OPEN", false, totalMatched, runners.Length, runners);

    /// <summary>A plain valid 3-runner book with 2 back and 2 lay levels each.</summary>
    public static MarketBook Simple() => Book(
        Runner(1, Levels((2.0, 100), (1.98, 50)), Levels((2.02, 80), (2.04, 40))),
        Runner(2, Levels((4.0, 30), (3.9, 20)), Levels((4.1, 25), (4.2, 10))),
        Runner(3, Levels((3.5, 60), (3.45, 10)), Levels((3.55, 15), (3.6, 5))));
}
