using System.Buffers;
using System.Globalization;
using System.Text;
using Key = NetBet.Core.Books.MarketBookReader.Key;

namespace NetBet.Core.Books;

/// <summary>The scanner's JSON primitives: whitespace, brackets, keys, strings, literals, numbers, and skipping a value.</summary>
internal ref partial struct MarketBookScanner
{
    // The next byte that is not JSON whitespace, not consumed; 0 at the end (0 is never valid JSON either).
    private byte Peek()
    {
        var json = _json;
        var pos = _pos;
        while ((uint)pos < (uint)json.Length)
        {
            var b = json[pos];
            if (b > (byte)' ' || b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                _pos = pos;
                return b;
            }

            pos++;
        }

        _pos = pos;
        return 0;
    }

    private bool TryStartObject(out bool empty) => TryStart((byte)'{', (byte)'}', out empty);

    private bool TryStartArray(out bool empty) => TryStart((byte)'[', (byte)']', out empty);

    private bool TryStart(byte open, byte close, out bool empty)
    {
        empty = false;
        if (Peek() != open)
        {
            return false;
        }

        _pos++;
        if (Peek() == close)
        {
            _pos++;
            empty = true;
        }

        return true;
    }

    // After a member or element: a comma and more, or the closing bracket (no trailing comma, as JSON says).
    private bool TryEndMember(byte close, out bool end)
    {
        var b = Peek();
        _pos++;
        end = b == close;
        return end || (b == (byte)',' && Peek() != close);
    }

    private bool TryReadKey(out Key key)
    {
        key = Key.Other;
        if (!TryReadStringText(out var name) || Peek() != (byte)':')
        {
            return false;
        }

        _pos++;
        key = MarketBookReader.KeyOf(name);
        return true;
    }

    // A string without escapes, control characters or non-ASCII bytes: its text is its value.
    private bool TryReadStringText(out ReadOnlySpan<byte> text)
    {
        text = default;
        if (Peek() != (byte)'"')
        {
            return false;
        }

        var start = _pos + 1;
        var length = _json[start..].IndexOfAnyExcept(PlainStringBytes);
        if (length < 0 || _json[start + length] != (byte)'"')
        {
            return false;
        }

        text = _json.Slice(start, length);
        _pos = start + length + 1;
        return true;
    }

    private static readonly SearchValues<byte> PlainStringBytes = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b is not ('"' or '\\')).Select(b => (byte)b)]);

    private bool TryReadNull()
    {
        if (Peek() == (byte)'n' && _json[_pos..].StartsWith("null"u8))
        {
            _pos += 4;
            return true;
        }

        return false;
    }

    private bool TryReadString(out string? value)
    {
        value = null;
        if (TryReadNull())
        {
            return true;
        }

        if (!TryReadStringText(out var text))
        {
            return false;
        }

        value = MarketBookReader.KnownString(text) ?? Encoding.ASCII.GetString(text);
        return true;
    }

    private bool TryReadMarketId(out string? value)
    {
        value = null;
        if (TryReadNull())
        {
            return true;
        }

        if (!TryReadStringText(out var text))
        {
            return false;
        }

        value = _scratch.RepeatedMarketId(text);
        return value is not null;
    }

    private bool TryReadBoolean(out bool? value)
    {
        value = null;
        switch (Peek())
        {
            case (byte)'t' when TryLiteral("true"u8):
                value = true;
                return true;
            case (byte)'f' when TryLiteral("false"u8):
                value = false;
                return true;
            default:
                return TryReadNull();
        }
    }

    // Strings and 0 are no selection id; any other number must be an integer that fits a long.
    private bool TryReadSelectionId(out long? value)
    {
        value = null;
        switch (Peek())
        {
            case (byte)'"':
                return TryReadStringText(out _);
            case (byte)'n':
                return TryReadNull();
        }

        var json = _json;
        var pos = _pos;
        long id = 0;
        while ((uint)pos < (uint)json.Length && (uint)(json[pos] - '0') <= 9)
        {
            id = (id * 10) + (json[pos] - '0');
            pos++;
        }

        var digits = pos - _pos;
        // Leading zeros, signs, fractions, exponents and 19 digits or more are the general reader's.
        if (digits is 0 or > 18 || (digits > 1 && json[_pos] == (byte)'0')
            || ((uint)pos < (uint)json.Length && json[pos] is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'-' or (byte)'+'))
        {
            return false;
        }

        _pos = pos;
        value = id == 0 ? null : id;
        return true;
    }

    /// <summary>
    /// A JSON number or null, as the general reader reads it: plain decimals of up to 15 digits as the mantissa over
    /// an exact power of ten (one correctly rounded division), longer ones and exponents by the general parser (also
    /// correctly rounded, so the same double); magnitudes above <see cref="MarketBookReader.MaxMagnitude"/> are errors
    /// and left to it.
    /// </summary>
    private bool TryReadNumber(out double? value)
    {
        value = null;
        if (TryReadNull())
        {
            return true;
        }

        if (!TryScanNumber(out var mantissa, out var digits, out var fractionDigits, out var plain, out var text))
        {
            return false;
        }

        double number;
        if (plain && digits <= 15)
        {
            number = mantissa / MarketBookReader.PowersOfTen[fractionDigits];
            if (text[0] == (byte)'-')
            {
                number = -number;
            }
        }
        else
        {
            number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        if (!(Math.Abs(number) <= MarketBookReader.MaxMagnitude))
        {
            return false;
        }

        value = number;
        return true;
    }

    // One number token by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; plain when without exponent.
    private bool TryScanNumber(out ulong mantissa, out int digits, out int fractionDigits, out bool plain, out ReadOnlySpan<byte> text)
    {
        mantissa = 0;
        digits = fractionDigits = 0;
        plain = true;
        text = default;
        var json = _json;
        var start = _pos;
        var pos = start;
        if ((uint)pos < (uint)json.Length && json[pos] == (byte)'-')
        {
            pos++;
        }

        var integerStart = pos;
        uint digit;
        while ((uint)pos < (uint)json.Length && (digit = (uint)(json[pos] - '0')) <= 9)
        {
            mantissa = (mantissa * 10) + digit;
            pos++;
        }

        digits = pos - integerStart;
        if (digits == 0 || (digits > 1 && json[integerStart] == (byte)'0'))
        {
            return false;
        }

        if ((uint)pos < (uint)json.Length && json[pos] == (byte)'.')
        {
            pos++;
            var fractionStart = pos;
            while ((uint)pos < (uint)json.Length && (digit = (uint)(json[pos] - '0')) <= 9)
            {
                mantissa = (mantissa * 10) + digit;
                pos++;
            }

            fractionDigits = pos - fractionStart;
            if (fractionDigits == 0)
            {
                return false;
            }

            digits += fractionDigits;
        }

        if ((uint)pos < (uint)json.Length && (json[pos] | 0x20) == (byte)'e')
        {
            plain = false;
            pos++;
            if ((uint)pos < (uint)json.Length && json[pos] is (byte)'+' or (byte)'-')
            {
                pos++;
            }

            var exponentStart = pos;
            while ((uint)pos < (uint)json.Length && (uint)(json[pos] - '0') <= 9)
            {
                pos++;
            }

            if (pos == exponentStart)
            {
                return false;
            }
        }

        text = json[start..pos];
        _pos = pos;
        return true;
    }

    // Any JSON value, checked for being JSON and dropped.
    private bool TrySkipValue(int depth)
    {
        switch (Peek())
        {
            case (byte)'"':
                return TryReadStringText(out _);
            case (byte)'{':
                {
                    if (depth >= MaxDepth || !TryStartObject(out var empty))
                    {
                        return false;
                    }

                    while (!empty)
                    {
                        if (!TryReadStringText(out _) || Peek() != (byte)':')
                        {
                            return false;
                        }

                        _pos++;
                        if (!TrySkipValue(depth + 1) || !TryEndMember((byte)'}', out empty))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case (byte)'[':
                {
                    if (depth >= MaxDepth || !TryStartArray(out var empty))
                    {
                        return false;
                    }

                    while (!empty)
                    {
                        if (!TrySkipValue(depth + 1) || !TryEndMember((byte)']', out empty))
                        {
                            return false;
                        }
                    }

                    return true;
                }

            case (byte)'t':
                return TryLiteral("true"u8);
            case (byte)'f':
                return TryLiteral("false"u8);
            case (byte)'n':
                return TryReadNull();
            default:
                return TryScanNumber(out _, out _, out _, out _, out _);
        }
    }

    private bool TryLiteral(ReadOnlySpan<byte> literal)
    {
        if (!_json[_pos..].StartsWith(literal))
        {
            return false;
        }

        _pos += literal.Length;
        return true;
    }
}
