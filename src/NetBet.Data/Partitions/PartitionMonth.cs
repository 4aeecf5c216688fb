using System.Globalization;

namespace NetBet.Data.Partitions;

/// <summary>
/// One calendar month in UTC: the unit of partitioning of <c>market_book_snapshots</c> and
/// <c>market_derived_metrics</c>. Its partitions are named <c>&lt;table&gt;_yYYYYmMM</c> and hold
/// <see cref="Start"/> ≤ <c>snapshot_at</c> &lt; <see cref="End"/>.
/// </summary>
/// <param name="Year">Year, 1 to 9999.</param>
/// <param name="Number">Month of the year, 1 to 12.</param>
public readonly record struct PartitionMonth(int Year, int Number) : IComparable<PartitionMonth>
{
    /// <summary>The first instant of the month, UTC.</summary>
    public DateTimeOffset Start => new(Year, Number, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The first instant of the next month, UTC.</summary>
    public DateTimeOffset End => Start.AddMonths(1);

    /// <summary>The partition name suffix, e.g. <c>y2026m11</c>.</summary>
    public string Suffix => string.Create(CultureInfo.InvariantCulture, $"y{Year:D4}m{Number:D2}");

    /// <summary>The month containing <paramref name="time"/> (in UTC).</summary>
    public static PartitionMonth Of(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return new PartitionMonth(utc.Year, utc.Month);
    }

    /// <summary>Parses <c>YYYY-MM</c>; null with <paramref name="error"/> saying what is wrong otherwise.</summary>
    public static PartitionMonth? TryParse(string? text, out string? error)
    {
        error = null;
        if (text is not null
            && DateTime.TryParseExact(text.Trim(), "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            return new PartitionMonth(parsed.Year, parsed.Month);
        }

        error = $"'{text}' is not a month: expected YYYY-MM, such as 2026-11";
        return null;
    }

    /// <summary>Parses <c>YYYY-MM</c>.</summary>
    /// <exception cref="FormatException">The text is not a month.</exception>
    public static PartitionMonth Parse(string text) => TryParse(text, out var error) ?? throw new FormatException(error);

    /// <summary>Parses a partition name suffix such as <c>y2026m11</c>; null when it is not one.</summary>
    public static PartitionMonth? FromSuffix(string suffix) =>
        suffix is ['y', _, _, _, _, 'm', _, _]
        && int.TryParse(suffix.AsSpan(1, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
        && int.TryParse(suffix.AsSpan(6, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
        && year >= 1 && number is >= 1 and <= 12
            ? new PartitionMonth(year, number)
            : null;

    /// <summary>The following month.</summary>
    public PartitionMonth Next() => Of(End);

    /// <summary>Every month from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public static IEnumerable<PartitionMonth> Range(PartitionMonth from, PartitionMonth to)
    {
        for (var month = from; month.CompareTo(to) <= 0; month = month.Next())
        {
            yield return month;
        }
    }

    /// <inheritdoc/>
    public int CompareTo(PartitionMonth other) => (Year, Number).CompareTo((other.Year, other.Number));

    /// <summary><c>YYYY-MM</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-{Number:D2}");

    /// <summary>Orders months.</summary>
    public static bool operator <(PartitionMonth left, PartitionMonth right) => left.CompareTo(right) < 0;

    /// <summary>Orders months.</summary>
    public static bool operator >(PartitionMonth left, PartitionMonth right) => left.CompareTo(right) > 0;

    /// <summary>Orders months.</summary>
    public static bool operator <=(PartitionMonth left, PartitionMonth right) => left.CompareTo(right) <= 0;

    /// <summary>Orders months.</summary>
    public static bool operator >=(PartitionMonth left, PartitionMonth right) => left.CompareTo(right) >= 0;
}
