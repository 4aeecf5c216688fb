namespace NetBet.Core.Books;

/// <summary>
/// Betfair's CLASSIC price ladder: the 350 valid decimal prices from 1.01 to 1000, the tick size growing with the
/// price (0.01 up to 2, 0.02 to 3, 0.05 to 4, 0.1 to 6, 0.2 to 10, 0.5 to 20, 1 to 30, 2 to 50, 5 to 100, 10 to
/// 1000). Every odds market uses it unless its definition says otherwise; the FINEST ladder (Asian handicap
/// markets) is every 0.01 from 1.01 to 1000.
/// </summary>
/// <remarks>
/// Membership is also offered on prices as exact integers in millionths (<see cref="MicrosPerUnit"/>), the form the
/// stream parser keys its ladders by, so a check never depends on how a double was rounded.
/// </remarks>
public static class PriceLadder
{
    /// <summary>Millionths per unit of price: 2.02 is 2,020,000 micros.</summary>
    public const long MicrosPerUnit = 1_000_000;

    /// <summary>The lowest price on either ladder, in micros (1.01).</summary>
    public const long MinMicros = 1_010_000;

    /// <summary>The highest price on either ladder, in micros (1000).</summary>
    public const long MaxMicros = 1_000 * MicrosPerUnit;

    private const long CentMicros = MicrosPerUnit / 100;

    private static readonly (decimal UpTo, decimal Step)[] Bands =
    [
        (2m, 0.01m), (3m, 0.02m), (4m, 0.05m), (6m, 0.1m), (10m, 0.2m),
        (20m, 0.5m), (30m, 1m), (50m, 2m), (100m, 5m), (1000m, 10m),
    ];

    private static readonly long[] Micros = BuildMicros();

    // Built from the exact decimals, so each double is the two-decimal value Betfair sends (1.1, not 1.1000000000000001).
    private static readonly double[] Prices = [.. Micros.Select(m => (double)((decimal)m / MicrosPerUnit))];

    /// <summary>Number of prices on the ladder (350).</summary>
    public static int Count => Prices.Length;

    /// <summary>All prices, lowest first.</summary>
    public static IReadOnlyList<double> All => Prices;

    /// <summary>The price at <paramref name="index"/> (0 = 1.01, <see cref="Count"/> - 1 = 1000).</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    public static double At(int index) => Prices[index];

    /// <summary>True when <paramref name="price"/> is exactly a ladder price.</summary>
    /// <param name="price">A decimal price.</param>
    public static bool Contains(double price) => Array.BinarySearch(Prices, price) >= 0;

    /// <summary>True when the price <paramref name="priceMicros"/> / 10^6 is exactly a ladder price.</summary>
    /// <param name="priceMicros">The price in millionths (<see cref="MicrosPerUnit"/>).</param>
    public static bool ContainsMicros(long priceMicros) => Array.BinarySearch(Micros, priceMicros) >= 0;

    /// <summary>
    /// True when <paramref name="priceMicros"/> is on Betfair's FINEST ladder: a whole number of hundredths from 1.01
    /// to 1000 (99,900 prices). Every CLASSIC price is also a FINEST price.
    /// </summary>
    /// <param name="priceMicros">The price in millionths (<see cref="MicrosPerUnit"/>).</param>
    public static bool IsFinestMicros(long priceMicros) =>
        priceMicros is >= MinMicros and <= MaxMicros && priceMicros % CentMicros == 0;

    /// <summary>Index of the highest ladder price at or below <paramref name="price"/>, clamped to the ladder.</summary>
    /// <param name="price">A decimal price.</param>
    public static int IndexAtOrBelow(double price)
    {
        var i = Array.BinarySearch(Prices, price);
        return i >= 0 ? i : Math.Clamp(~i - 1, 0, Prices.Length - 1);
    }

    /// <summary>Index of the lowest ladder price at or above <paramref name="price"/>, clamped to the ladder.</summary>
    /// <param name="price">A decimal price.</param>
    public static int IndexAtOrAbove(double price)
    {
        var i = Array.BinarySearch(Prices, price);
        return i >= 0 ? i : Math.Clamp(~i, 0, Prices.Length - 1);
    }

    private static long[] BuildMicros()
    {
        var micros = new List<long>(350);
        var from = 1.00m;
        foreach (var (upTo, step) in Bands)
        {
            for (var price = from + step; price <= upTo; price += step)
            {
                micros.Add((long)(price * MicrosPerUnit));
            }

            from = upTo;
        }

        return [.. micros];
    }
}
