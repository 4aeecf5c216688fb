namespace NetBet.Ingest.Betfair;

/// <summary>
/// Betfair's CLASSIC price ladder: every valid decimal price from 1.01 to 1000, with the tick size growing with the
/// price (0.01 up to 2, 0.02 to 3, 0.05 to 4, 0.1 to 6, 0.2 to 10, 0.5 to 20, 1 to 30, 2 to 50, 5 to 100, 10 to 1000).
/// </summary>
internal static class PriceLadder
{
    private static readonly (decimal UpTo, decimal Step)[] Bands =
    [
        (2m, 0.01m), (3m, 0.02m), (4m, 0.05m), (6m, 0.1m), (10m, 0.2m),
        (20m, 0.5m), (30m, 1m), (50m, 2m), (100m, 5m), (1000m, 10m),
    ];

    private static readonly double[] Prices = Build();

    /// <summary>Number of prices on the ladder (350).</summary>
    public static int Count => Prices.Length;

    /// <summary>All prices, lowest first.</summary>
    public static IReadOnlyList<double> All => Prices;

    /// <summary>The price at <paramref name="index"/> (0 = 1.01).</summary>
    public static double At(int index) => Prices[index];

    /// <summary>True when <paramref name="price"/> is exactly a ladder price.</summary>
    public static bool Contains(double price) => Array.BinarySearch(Prices, price) >= 0;

    /// <summary>Index of the highest ladder price at or below <paramref name="price"/>, clamped to the ladder.</summary>
    public static int IndexAtOrBelow(double price)
    {
        var i = Array.BinarySearch(Prices, price);
        return i >= 0 ? i : Math.Clamp(~i - 1, 0, Prices.Length - 1);
    }

    /// <summary>Index of the lowest ladder price at or above <paramref name="price"/>, clamped to the ladder.</summary>
    public static int IndexAtOrAbove(double price)
    {
        var i = Array.BinarySearch(Prices, price);
        return i >= 0 ? i : Math.Clamp(~i, 0, Prices.Length - 1);
    }

    // Built in decimal so every price is the exact two-decimal value Betfair sends (1.1, not 1.1000000000000001).
    private static double[] Build()
    {
        var prices = new List<double>(350);
        var from = 1.00m;
        foreach (var (upTo, step) in Bands)
        {
            for (var price = from + step; price <= upTo; price += step)
            {
                prices.Add((double)price);
            }

            from = upTo;
        }

        return [.. prices];
    }
}
