using System.Globalization;

namespace NetBet.Data.Export;

/// <summary>
/// The text of CSV values straight into UTF-8, byte for byte what .NET's invariant formatting writes (the tests compare
/// them over millions of values), with fast paths for the common cases: a double with few decimals (prices, sizes,
/// stakes) and a UTC timestamp.
/// </summary>
internal static class CsvValues
{
    /// <summary>Bytes a value can take at most (a double's shortest round-trip form is at most 24).</summary>
    public const int MaxBytes = 64;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";
    private const int MaxFastDecimals = 4;

    // 10^k, exact as doubles for k <= 22.
    private static readonly double[] PowersOfTen = [1, 10, 100, 1_000, 10_000, 100_000];

    /// <summary>
    /// Writes <paramref name="value"/> as <c>double.TryFormat(destination, out _, default, InvariantCulture)</c> does:
    /// the shortest text that reads back as the same double.
    /// </summary>
    /// <returns>Bytes written.</returns>
    public static int WriteReal(double value, Span<byte> destination)
    {
        // A double equal to n / 10^k, where n is a whole number of at most 15 digits, reads back from "n with k
        // decimals"; and as every decimal of up to 15 digits survives the trip through a double (DBL_DIG), no shorter
        // text can read back as it, so that text is the shortest round-trip form. Fixed notation is what .NET writes
        // between 1e-5 and 1e15; outside it, and for -0, NaN and infinities, .NET formats.
        var magnitude = Math.Abs(value);
        if (magnitude is >= 1e-4 and < 1e14)
        {
            // Most full-precision values (ratios, risks) are turned away by one multiplication: with at most
            // MaxFastDecimals decimals, magnitude * 10^MaxFastDecimals is a whole number but for rounding.
            var scaled = magnitude * PowersOfTen[MaxFastDecimals];
            if (Math.Abs(scaled - Math.Round(scaled)) > scaled * 1e-12)
            {
                return Format(value, destination, default);
            }

            for (var decimals = 0; decimals <= MaxFastDecimals; decimals++)
            {
                var scale = PowersOfTen[decimals];
                var whole = Math.Round(magnitude * scale);
                if (whole / scale == magnitude)
                {
                    if (whole >= 1e15)
                    {
                        break;
                    }

                    return WriteDecimal(value < 0, (ulong)whole, decimals, destination);
                }
            }
        }
        else if (value == 0 && !double.IsNegative(value))
        {
            destination[0] = (byte)'0';
            return 1;
        }

        return Format(value, destination, default);
    }

    /// <summary>Writes <paramref name="utc"/> as <c>2026-02-14T18:00:00.25Z</c> (fraction to the microsecond, trailing zeros dropped).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteTimestamp(DateTime utc, Span<byte> destination)
    {
        var year = utc.Year;
        if (year > 9999 || destination.Length < 27)
        {
            return Format(utc, destination, TimestampFormat);
        }

        WriteDigits(destination[..4], year);
        destination[4] = (byte)'-';
        WriteDigits(destination.Slice(5, 2), utc.Month);
        destination[7] = (byte)'-';
        WriteDigits(destination.Slice(8, 2), utc.Day);
        destination[10] = (byte)'T';
        WriteDigits(destination.Slice(11, 2), utc.Hour);
        destination[13] = (byte)':';
        WriteDigits(destination.Slice(14, 2), utc.Minute);
        destination[16] = (byte)':';
        WriteDigits(destination.Slice(17, 2), utc.Second);
        var length = 19;

        // FFFFFF: six digits of the fraction (truncated, not rounded), trailing zeros dropped, and the point with them.
        var micros = (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10);
        if (micros != 0)
        {
            var digits = 6;
            while (micros % 10 == 0)
            {
                micros /= 10;
                digits--;
            }

            destination[length++] = (byte)'.';
            WriteDigits(destination.Slice(length, digits), micros);
            length += digits;
        }

        destination[length++] = (byte)'Z';
        return length;
    }

    private static int WriteDecimal(bool negative, ulong whole, int decimals, Span<byte> destination)
    {
        var digits = CountDigits(whole);
        var length = 0;
        if (negative)
        {
            destination[length++] = (byte)'-';
        }

        if (digits <= decimals)
        {
            // 0.00ddd: a leading zero, the point, then zeros up to the first digit.
            destination[length++] = (byte)'0';
            destination[length++] = (byte)'.';
            destination.Slice(length, decimals - digits).Fill((byte)'0');
            length += decimals - digits;
            WriteDigits(destination.Slice(length, digits), whole);
            return length + digits;
        }

        if (decimals == 0)
        {
            WriteDigits(destination.Slice(length, digits), whole);
            return length + digits;
        }

        var pow = (ulong)PowersOfTen[decimals];
        var integer = whole / pow;
        var integerDigits = digits - decimals;
        WriteDigits(destination.Slice(length, integerDigits), integer);
        length += integerDigits;
        destination[length++] = (byte)'.';
        WriteDigits(destination.Slice(length, decimals), whole - (integer * pow));
        return length + decimals;
    }

    /// <summary>Writes <paramref name="value"/> right-aligned into all of <paramref name="destination"/>, zero-padded.</summary>
    private static void WriteDigits(Span<byte> destination, ulong value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            var next = value / 10;
            destination[i] = (byte)('0' + (int)(value - (next * 10)));
            value = next;
        }
    }

    private static void WriteDigits(Span<byte> destination, int value) => WriteDigits(destination, (ulong)value);

    private static int CountDigits(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static int Format<T>(T value, Span<byte> destination, ReadOnlySpan<char> format)
        where T : IUtf8SpanFormattable
    {
        if (!value.TryFormat(destination, out var written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"cannot format {value} in {destination.Length} bytes");
        }

        return written;
    }
}
