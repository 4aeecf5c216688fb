using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>
/// Prices (and handicaps) as exact integers: the decimal text scaled by 10^6. Betfair prices have at most two
/// decimals, so every real price maps to one key, and <c>1.1</c>, <c>1.10</c> and <c>1.100</c> are the same key,
/// which double equality on parsed text would not promise.
/// </summary>
internal static class PriceTicks
{
    public const long Scale = PriceLadder.MicrosPerUnit;
    private const int ScaleDigits = 6;

    // 12 integer digits * 10^6 stays far below long.MaxValue.
    private const int MaxIntegerDigits = 12;

    public static double ToDouble(long ticks) => (double)ticks / Scale;

    /// <summary>Reads the current number token as ticks; false when it is not a usable decimal.</summary>
    public static bool TryRead(ref Utf8JsonReader reader, out long ticks)
    {
        if (!reader.HasValueSequence && TryParsePlain(reader.ValueSpan, out ticks))
        {
            return true;
        }

        // Exponents and more than six decimals are not Betfair's, but they are still numbers: round them once,
        // exactly, in decimal.
        if (reader.TryGetDecimal(out var value) && Math.Abs(value) < 1e12m)
        {
            ticks = (long)Math.Round(value * Scale, MidpointRounding.ToEven);
            return true;
        }

        ticks = 0;
        return false;
    }

    /// <summary>Parses <c>-?digits(.digits)?</c> with at most six significant decimals.</summary>
    public static bool TryParsePlain(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        long integer = 0;
        var integerDigits = 0;
        for (; i < text.Length && IsDigit(text[i]); i++, integerDigits++)
        {
            integer = (integer * 10) + (text[i] - '0');
        }

        if (integerDigits is 0 or > MaxIntegerDigits)
        {
            return false;
        }

        long fraction = 0;
        var fractionDigits = 0;
        if (i < text.Length && text[i] == (byte)'.')
        {
            i++;
            for (; i < text.Length && IsDigit(text[i]); i++)
            {
                if (fractionDigits < ScaleDigits)
                {
                    fraction = (fraction * 10) + (text[i] - '0');
                    fractionDigits++;
                }
                else if (text[i] != (byte)'0')
                {
                    return false; // a seventh significant decimal: let the exact decimal path round it
                }
            }
        }

        if (i != text.Length)
        {
            return false; // exponent
        }

        for (var d = fractionDigits; d < ScaleDigits; d++)
        {
            fraction *= 10;
        }

        ticks = (integer * Scale) + fraction;
        if (negative)
        {
            ticks = -ticks;
        }

        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
