using System.Text;
using System.Text.Json;

namespace NetBet.Core.Books;

/// <summary>A MarketBook JSON document that cannot be read; <see cref="JsonPath"/> names the offending value.</summary>
public sealed class MarketBookFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="what">What was wrong.</param>
    /// <param name="jsonPath">Where, as a JSON path such as <c>$.runners[0].ex.availableToBack[1].price</c>.</param>
    public MarketBookFormatException(string what, string jsonPath)
        : base($"{what} at {jsonPath}")
    {
        What = what;
        JsonPath = jsonPath;
    }

    /// <summary>What was wrong, without the location.</summary>
    public string What { get; }

    /// <summary>The JSON path of the offending value.</summary>
    public string JsonPath { get; }
}

/// <summary>
/// Reads a listMarketBook MarketBook with <see cref="Utf8JsonReader"/>, without building a DOM.
/// Accepted beyond Betfair's own shape, as the production system did: levels as <c>[price, size]</c> arrays, null
/// levels and null price/size (read as 0), null runner entries (counted, otherwise ignored).
/// A runner whose <c>selectionId</c> is a string or 0 has no selection id. Rejected with
/// <see cref="MarketBookFormatException"/>: numbers written as strings or booleans, levels without price or size,
/// levels with a <c>Price</c> or <c>Size</c> key in any other letter case (even beside <c>price</c> and <c>size</c>),
/// magnitudes above 1e15, and anything that is not JSON. <c>ex.tradedVolume</c> is read (with the same level rules)
/// only when asked for: the metric engine never needs it, and a traded ladder can hold hundreds of levels.
/// </summary>
public static class MarketBookReader
{
    private const double MaxMagnitude = 1e15;

    /// <summary>Reads one MarketBook object from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The document: a MarketBook object.</param>
    /// <param name="jsonPath">Path of the object, used in error messages.</param>
    /// <param name="includeTradedVolume">Also read each runner's <c>ex.tradedVolume</c> into <see cref="RunnerBook.TradedVolume"/>.</param>
    /// <exception cref="MarketBookFormatException">The document is not a readable MarketBook.</exception>
    public static MarketBook Read(ReadOnlySpan<byte> utf8Json, string jsonPath = "$", bool includeTradedVolume = false)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            Advance(ref reader, jsonPath);
            var book = Read(ref reader, jsonPath, includeTradedVolume);
            if (reader.Read())
            {
                throw new MarketBookFormatException("unexpected content after the MarketBook", jsonPath);
            }

            return book;
        }
        catch (JsonException e)
        {
            throw new MarketBookFormatException($"invalid JSON ({FirstSentence(e.Message)})", jsonPath);
        }
    }

    /// <summary>Reads one MarketBook object; the reader must be positioned on its first token.</summary>
    /// <param name="reader">A reader over the complete document.</param>
    /// <param name="jsonPath">Path of the object, used in error messages.</param>
    /// <param name="includeTradedVolume">Also read each runner's <c>ex.tradedVolume</c> into <see cref="RunnerBook.TradedVolume"/>.</param>
    /// <exception cref="MarketBookFormatException">The value is not a readable MarketBook.</exception>
    public static MarketBook Read(ref Utf8JsonReader reader, string jsonPath, bool includeTradedVolume = false)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MarketBookFormatException($"expected a MarketBook object, got {Describe(reader.TokenType)}", jsonPath);
        }

        string? marketId = null, status = null;
        bool? inplay = null;
        double? totalMatched = null;
        var runners = new List<RunnerBook>(3);
        var runnerEntries = 0;
        while (Advance(ref reader, jsonPath) == JsonTokenType.PropertyName)
        {
            if (IsProperty(ref reader, "marketId"u8))
            {
                Advance(ref reader, jsonPath);
                marketId = ReadString(ref reader, new JsonPathRef(jsonPath, -1, ".marketId"));
            }
            else if (IsProperty(ref reader, "status"u8))
            {
                Advance(ref reader, jsonPath);
                status = ReadString(ref reader, new JsonPathRef(jsonPath, -1, ".status"));
            }
            else if (IsProperty(ref reader, "inplay"u8))
            {
                Advance(ref reader, jsonPath);
                inplay = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw new MarketBookFormatException($"expected true or false, got {Describe(reader.TokenType)}", jsonPath + ".inplay"),
                };
            }
            else if (IsProperty(ref reader, "totalMatched"u8))
            {
                Advance(ref reader, jsonPath);
                totalMatched = ReadNullableNumber(ref reader, new JsonPathRef(jsonPath, -1, ".totalMatched"));
            }
            else if (IsProperty(ref reader, "runners"u8))
            {
                Advance(ref reader, jsonPath);
                runnerEntries = ReadRunners(ref reader, runners, jsonPath + ".runners", includeTradedVolume);
            }
            else
            {
                reader.Skip();
            }
        }

        return new MarketBook(marketId, status, inplay, totalMatched, runnerEntries, runners);
    }

    private static int ReadRunners(ref Utf8JsonReader reader, List<RunnerBook> runners, string path, bool includeTradedVolume)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new MarketBookFormatException($"expected an array of runners, got {Describe(reader.TokenType)}", path);
        }

        var entries = 0;
        while (Advance(ref reader, path) != JsonTokenType.EndArray)
        {
            var index = entries++;
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    break;
                case JsonTokenType.StartObject:
                    runners.Add(ReadRunner(ref reader, path, index, includeTradedVolume));
                    break;
                default:
                    throw new MarketBookFormatException($"expected a runner object, got {Describe(reader.TokenType)}", $"{path}[{index}]");
            }
        }

        return entries;
    }

    private static RunnerBook ReadRunner(ref Utf8JsonReader reader, string runnersPath, int index, bool includeTradedVolume)
    {
        long? selectionId = null;
        string? status = null;
        double? totalMatched = null;
        PriceSize[] back = [], lay = [];
        PriceSize[]? traded = includeTradedVolume ? [] : null;
        while (Advance(ref reader, runnersPath) == JsonTokenType.PropertyName)
        {
            if (IsProperty(ref reader, "selectionId"u8))
            {
                Advance(ref reader, runnersPath);
                selectionId = ReadSelectionId(ref reader, new JsonPathRef(runnersPath, index, ".selectionId"));
            }
            else if (IsProperty(ref reader, "status"u8))
            {
                Advance(ref reader, runnersPath);
                status = ReadString(ref reader, new JsonPathRef(runnersPath, index, ".status"));
            }
            else if (IsProperty(ref reader, "totalMatched"u8))
            {
                Advance(ref reader, runnersPath);
                totalMatched = ReadNullableNumber(ref reader, new JsonPathRef(runnersPath, index, ".totalMatched"));
            }
            else if (IsProperty(ref reader, "ex"u8))
            {
                Advance(ref reader, runnersPath);
                (back, lay, traded) = ReadExchangePrices(ref reader, $"{runnersPath}[{index}].ex", includeTradedVolume);
            }
            else
            {
                reader.Skip();
            }
        }

        return new RunnerBook(selectionId, status, totalMatched, back, lay, traded);
    }

    private static long? ReadSelectionId(ref Utf8JsonReader reader, JsonPathRef path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
            case JsonTokenType.String: // Betfair never sends string ids; such a runner matches no role
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var id):
                return id == 0 ? null : id;
            default:
                throw new MarketBookFormatException($"expected an integer selection id, got {Describe(reader.TokenType)}", path.ToString());
        }
    }

    private static (PriceSize[] Back, PriceSize[] Lay, PriceSize[]? Traded) ReadExchangePrices(ref Utf8JsonReader reader, string path, bool includeTradedVolume)
    {
        PriceSize[] back = [], lay = [];
        PriceSize[]? traded = includeTradedVolume ? [] : null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (back, lay, traded);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MarketBookFormatException($"expected an object, got {Describe(reader.TokenType)}", path);
        }

        while (Advance(ref reader, path) == JsonTokenType.PropertyName)
        {
            if (IsProperty(ref reader, "availableToBack"u8))
            {
                Advance(ref reader, path);
                back = ReadLevels(ref reader, path + ".availableToBack");
            }
            else if (IsProperty(ref reader, "availableToLay"u8))
            {
                Advance(ref reader, path);
                lay = ReadLevels(ref reader, path + ".availableToLay");
            }
            else if (includeTradedVolume && IsProperty(ref reader, "tradedVolume"u8))
            {
                Advance(ref reader, path);
                traded = ReadLevels(ref reader, path + ".tradedVolume");
            }
            else
            {
                reader.Skip();
            }
        }

        return (back, lay, traded);
    }

    private static PriceSize[] ReadLevels(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new MarketBookFormatException($"expected an array of levels, got {Describe(reader.TokenType)}", path);
        }

        // Grown by doubling and trimmed once: books list 1-10 levels a side, the whole ladder at most a few hundred.
        var levels = new PriceSize[8];
        var count = 0;
        while (Advance(ref reader, path) != JsonTokenType.EndArray)
        {
            if (count == levels.Length)
            {
                Array.Resize(ref levels, levels.Length * 2);
            }

            levels[count] = ReadLevel(ref reader, path, count);
            count++;
        }

        if (count != levels.Length)
        {
            Array.Resize(ref levels, count);
        }

        return levels;
    }

    private static PriceSize ReadLevel(ref Utf8JsonReader reader, string sidePath, int index)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.StartObject:
                {
                    double? price = null, size = null;
                    while (Advance(ref reader, sidePath) == JsonTokenType.PropertyName)
                    {
                        if (IsProperty(ref reader, "price"u8))
                        {
                            Advance(ref reader, sidePath);
                            price = ReadNullableNumber(ref reader, new JsonPathRef(sidePath, index, ".price")) ?? 0.0;
                        }
                        else if (IsProperty(ref reader, "size"u8))
                        {
                            Advance(ref reader, sidePath);
                            size = ReadNullableNumber(ref reader, new JsonPathRef(sidePath, index, ".size")) ?? 0.0;
                        }
                        else if (CaseVariantOf(ref reader) is { } expected)
                        {
                            // {"Price": ..} would otherwise be skipped and read as a level without a price, or worse,
                            // beside a lower-case copy that may disagree: refuse it, whatever else the level holds.
                            var key = reader.GetString();
                            throw new MarketBookFormatException(
                                $"level key \"{key}\" must be written \"{expected}\" (keys are case-sensitive)",
                                $"{sidePath}[{index}].{key}");
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    if (price is null || size is null)
                    {
                        throw new MarketBookFormatException($"level has no {(price is null ? "price" : "size")}", $"{sidePath}[{index}]");
                    }

                    return new PriceSize(price.Value, size.Value);
                }

            case JsonTokenType.StartArray:
                {
                    Advance(ref reader, sidePath);
                    var price = ReadPairElement(ref reader, sidePath, index, 0);
                    Advance(ref reader, sidePath);
                    var size = ReadPairElement(ref reader, sidePath, index, 1);
                    if (Advance(ref reader, sidePath) != JsonTokenType.EndArray)
                    {
                        throw new MarketBookFormatException("expected a [price, size] pair, got more elements", $"{sidePath}[{index}]");
                    }

                    return new PriceSize(price, size);
                }

            default:
                throw new MarketBookFormatException($"expected a level object or [price, size] pair, got {Describe(reader.TokenType)}", $"{sidePath}[{index}]");
        }
    }

    private static double ReadPairElement(ref Utf8JsonReader reader, string sidePath, int index, int element)
    {
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            throw new MarketBookFormatException("expected a [price, size] pair, got fewer elements", $"{sidePath}[{index}]");
        }

        return ReadNullableNumber(ref reader, new JsonPathRef(sidePath, index, element == 0 ? "[0]" : "[1]")) ?? 0.0;
    }

    private static double? ReadNullableNumber(ref Utf8JsonReader reader, JsonPathRef path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                var value = reader.HasValueSequence || !TryParseShortDecimal(reader.ValueSpan, out var quick) ? reader.GetDouble() : quick;
                return Math.Abs(value) <= MaxMagnitude
                    ? value
                    : throw new MarketBookFormatException("number out of range (|x| > 1e15)", path.ToString());
            default:
                throw new MarketBookFormatException($"expected a number, got {Describe(reader.TokenType)}", path.ToString());
        }
    }

    private static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// Fast path for plain decimals such as <c>2.06</c> or <c>-15</c> with at most 15 significant digits: the
    /// mantissa and the power of ten are exact doubles, so one division gives the correctly rounded value, the same
    /// double the general parser returns. Anything else (exponents, long mantissas) falls back to it.
    /// </summary>
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i++;
        }

        long mantissa = 0;
        int digits = 0, scale = 0;
        var seenDot = false;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= (byte)'0' and <= (byte)'9')
            {
                mantissa = (mantissa * 10) + (c - '0');
                if (mantissa != 0 && ++digits > 15)
                {
                    return false;
                }

                if (seenDot)
                {
                    scale++;
                }
            }
            else if (c == (byte)'.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                return false;
            }
        }

        if (scale >= PowersOfTen.Length)
        {
            return false;
        }

        value = mantissa / PowersOfTen[scale];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static string? ReadString(ref Utf8JsonReader reader, JsonPathRef path) => reader.TokenType switch
    {
        JsonTokenType.String => KnownString(ref reader) ?? reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new MarketBookFormatException($"expected a string, got {Describe(reader.TokenType)}", path.ToString()),
    };

    // Statuses repeat in every book: return the shared literal instead of allocating a new string each time.
    private static string? KnownString(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            return null;
        }

        var text = reader.ValueSpan;
        return text.SequenceEqual("ACTIVE"u8) ? "ACTIVE"
            : text.SequenceEqual("OPEN"u8) ? "OPEN"
            : text.SequenceEqual("SUSPENDED"u8) ? "SUSPENDED"
            : text.SequenceEqual("CLOSED"u8) ? "CLOSED"
            : text.SequenceEqual("REMOVED"u8) ? "REMOVED"
            : text.SequenceEqual("WINNER"u8) ? "WINNER"
            : text.SequenceEqual("LOSER"u8) ? "LOSER"
            : null;
    }

    // "price" or "size" when the property is one of them in another letter case ("Price", "SIZE"); null otherwise,
    // the exact lower-case names included.
    private static string? CaseVariantOf(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && reader.ValueSpan.Length is not (4 or 5))
        {
            return null;
        }

        var name = reader.GetString()!;
        foreach (var expected in (ReadOnlySpan<string>)["price", "size"])
        {
            if (name.Equals(expected, StringComparison.OrdinalIgnoreCase) && !name.Equals(expected, StringComparison.Ordinal))
            {
                return expected;
            }
        }

        return null;
    }

    // Property names are compared on the raw bytes unless escaped: ValueTextEquals unescapes first, which costs.
    private static bool IsProperty(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) =>
        reader.ValueIsEscaped ? reader.ValueTextEquals(name) : reader.ValueSpan.SequenceEqual(name);

    private static JsonTokenType Advance(ref Utf8JsonReader reader, string path) =>
        reader.Read() ? reader.TokenType : throw new MarketBookFormatException("unexpected end of JSON", path);

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => token.ToString(),
    };

    internal static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    /// <summary>Decodes UTF-8 for error messages.</summary>
    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}

/// <summary>A JSON path built only when an error needs it, so the happy path allocates nothing.</summary>
internal readonly record struct JsonPathRef(string Base, int Index, string Suffix)
{
    public override string ToString() => Index < 0 ? Base + Suffix : $"{Base}[{Index}]{Suffix}";
}
