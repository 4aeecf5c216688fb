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
/// Reads a listMarketBook MarketBook without building a DOM: a scanner over the bytes takes Betfair's own plain
/// shape, and <see cref="Utf8JsonReader"/> everything else, giving the same book either way.
/// Accepted beyond Betfair's own shape, as the production system did: levels as <c>[price, size]</c> arrays, null
/// levels and null price/size (read as 0), null runner entries (counted, otherwise ignored).
/// A runner whose <c>selectionId</c> is a string or 0 has no selection id. Rejected with
/// <see cref="MarketBookFormatException"/>: numbers written as strings or booleans, levels without price or size,
/// levels with a <c>Price</c> or <c>Size</c> key in any other letter case (even beside <c>price</c> and <c>size</c>),
/// magnitudes above 1e15, and anything that is not JSON.
/// </summary>
public static class MarketBookReader
{
    internal const double MaxMagnitude = 1e15;

    /// <summary>Reads one MarketBook object from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The document: a MarketBook object.</param>
    /// <param name="jsonPath">Path of the object, used in error messages.</param>
    /// <param name="includeTradedVolume">Also read each runner's <c>ex.tradedVolume</c> into <see cref="RunnerBook.TradedVolume"/>.</param>
    /// <exception cref="MarketBookFormatException">The document is not a readable MarketBook.</exception>
    public static MarketBook Read(ReadOnlySpan<byte> utf8Json, string jsonPath = "$", bool includeTradedVolume = false)
    {
        // Betfair's own plain shape takes the scanner, about twice as fast; anything else, and every error, the reader.
        return MarketBookScanner.TryRead(utf8Json, includeTradedVolume) ?? ReadWithoutScanner(utf8Json, jsonPath, includeTradedVolume);
    }

    /// <summary>The general reading over <see cref="Utf8JsonReader"/>, which the scanner must always agree with.</summary>
    internal static MarketBook ReadWithoutScanner(ReadOnlySpan<byte> utf8Json, string jsonPath, bool includeTradedVolume)
    {
        // Comments are accepted (skipped) but rare, and a reader that skips them runs about a fifth slower on every
        // token: read without them first, and again skipping them only when that fails as JSON. Up to the first
        // comment both read alike, so any other error is the one the second reading would report.
        try
        {
            return ReadDocument(utf8Json, jsonPath, JsonCommentHandling.Disallow, includeTradedVolume);
        }
        catch (JsonException)
        {
            try
            {
                return ReadDocument(utf8Json, jsonPath, JsonCommentHandling.Skip, includeTradedVolume);
            }
            catch (JsonException e)
            {
                throw new MarketBookFormatException($"invalid JSON ({FirstSentence(e.Message)})", jsonPath);
            }
        }
    }

    private static MarketBook ReadDocument(ReadOnlySpan<byte> utf8Json, string jsonPath, JsonCommentHandling comments, bool includeTradedVolume)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = comments });
        Advance(ref reader, new BookPath(jsonPath));
        var book = Read(ref reader, jsonPath, includeTradedVolume);
        if (reader.Read())
        {
            throw new MarketBookFormatException("unexpected content after the MarketBook", jsonPath);
        }

        return book;
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

        var path = new BookPath(jsonPath);
        var scratch = ReaderScratch.ForThisThread;
        string? marketId = null, status = null;
        bool? inplay = null;
        double? totalMatched = null;
        RunnerBook[] runners = [];
        var runnerEntries = 0;
        while (Advance(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = KeyOf(ref reader);
            if (key == Key.MarketId)
            {
                Advance(ref reader, path);
                marketId = scratch.RepeatedMarketId(ref reader) ?? ReadString(ref reader, path, ".marketId");
            }
            else if (key == Key.Status)
            {
                Advance(ref reader, path);
                status = ReadString(ref reader, path, ".status");
            }
            else if (key == Key.Inplay)
            {
                Advance(ref reader, path);
                inplay = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => null,
                    _ => throw new MarketBookFormatException($"expected true or false, got {Describe(reader.TokenType)}", path.At(-1, ".inplay")),
                };
            }
            else if (key == Key.TotalMatched)
            {
                Advance(ref reader, path);
                totalMatched = ReadNullableNumber(ref reader, path, -1, ".totalMatched");
            }
            else if (key == Key.Runners)
            {
                Advance(ref reader, path);
                (runners, runnerEntries) = ReadRunners(ref reader, scratch, path.InRunners, includeTradedVolume);
            }
            else
            {
                reader.Skip();
            }
        }

        return new MarketBook(marketId, status, inplay, totalMatched, runnerEntries, runners);
    }

    // The runner objects, in an array of their exact count (collected in the thread's scratch array first), and the
    // number of entries, null entries included.
    private static (RunnerBook[] Runners, int Entries) ReadRunners(ref Utf8JsonReader reader, ReaderScratch scratch, BookPath path, bool includeTradedVolume)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return ([], 0);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new MarketBookFormatException($"expected an array of runners, got {Describe(reader.TokenType)}", path.ToString());
        }

        var entries = 0;
        var count = 0;
        var runners = scratch.Runners;
        while (Advance(ref reader, path) != JsonTokenType.EndArray)
        {
            var index = entries++;
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    break;
                case JsonTokenType.StartObject:
                    if (count == runners.Length)
                    {
                        runners = scratch.GrowRunners();
                    }

                    runners[count++] = ReadRunner(ref reader, scratch, path, index, includeTradedVolume);
                    break;
                default:
                    throw new MarketBookFormatException($"expected a runner object, got {Describe(reader.TokenType)}", path.At(index, ""));
            }
        }

        var result = runners.AsSpan(0, count).ToArray();
        runners.AsSpan(0, count).Clear(); // the scratch array must not keep books alive
        return (result, entries);
    }

    private static RunnerBook ReadRunner(ref Utf8JsonReader reader, ReaderScratch scratch, BookPath runnersPath, int index, bool includeTradedVolume)
    {
        long? selectionId = null;
        string? status = null;
        double? totalMatched = null;
        PriceSize[] back = [], lay = [];
        PriceSize[]? traded = includeTradedVolume ? [] : null;
        var runnerPath = runnersPath.InRunner(index);
        while (Advance(ref reader, runnersPath) == JsonTokenType.PropertyName)
        {
            var key = KeyOf(ref reader);
            if (key == Key.SelectionId)
            {
                Advance(ref reader, runnersPath);
                selectionId = ReadSelectionId(ref reader, runnerPath);
            }
            else if (key == Key.Status)
            {
                Advance(ref reader, runnersPath);
                status = ReadString(ref reader, runnerPath, ".status");
            }
            else if (key == Key.TotalMatched)
            {
                Advance(ref reader, runnersPath);
                totalMatched = ReadNullableNumber(ref reader, runnerPath, -1, ".totalMatched");
            }
            else if (key == Key.Ex)
            {
                Advance(ref reader, runnersPath);
                (back, lay, traded) = ReadExchangePrices(ref reader, scratch, runnerPath, includeTradedVolume);
            }
            else
            {
                reader.Skip();
            }
        }

        return new RunnerBook(selectionId, status, totalMatched, back, lay, traded);
    }

    private static long? ReadSelectionId(ref Utf8JsonReader reader, BookPath runnerPath)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
            case JsonTokenType.String: // Betfair never sends string ids; such a runner matches no role
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var id):
                return id == 0 ? null : id;
            default:
                throw new MarketBookFormatException($"expected an integer selection id, got {Describe(reader.TokenType)}", runnerPath.At(-1, ".selectionId"));
        }
    }

    private static (PriceSize[] Back, PriceSize[] Lay, PriceSize[]? Traded) ReadExchangePrices(
        ref Utf8JsonReader reader, ReaderScratch scratch, BookPath runnerPath, bool includeTradedVolume)
    {
        PriceSize[] back = [], lay = [];
        PriceSize[]? traded = includeTradedVolume ? [] : null;
        var path = runnerPath.InSide(".ex");
        if (reader.TokenType == JsonTokenType.Null)
        {
            return (back, lay, traded);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new MarketBookFormatException($"expected an object, got {Describe(reader.TokenType)}", path.ToString());
        }

        while (Advance(ref reader, path) == JsonTokenType.PropertyName)
        {
            var key = KeyOf(ref reader);
            if (key == Key.AvailableToBack)
            {
                Advance(ref reader, path);
                back = ReadLevels(ref reader, scratch, runnerPath.InSide(".ex.availableToBack"));
            }
            else if (key == Key.AvailableToLay)
            {
                Advance(ref reader, path);
                lay = ReadLevels(ref reader, scratch, runnerPath.InSide(".ex.availableToLay"));
            }
            else if (includeTradedVolume && key == Key.TradedVolume)
            {
                Advance(ref reader, path);
                traded = ReadLevels(ref reader, scratch, runnerPath.InSide(".ex.tradedVolume"));
            }
            else
            {
                reader.Skip();
            }
        }

        return (back, lay, traded);
    }

    private static PriceSize[] ReadLevels(ref Utf8JsonReader reader, ReaderScratch scratch, BookPath path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new MarketBookFormatException($"expected an array of levels, got {Describe(reader.TokenType)}", path.ToString());
        }

        // Collected in the thread's scratch array, then copied once into an array of the exact count.
        var levels = scratch.Levels;
        var count = 0;
        while (Advance(ref reader, path) != JsonTokenType.EndArray)
        {
            if (count == levels.Length)
            {
                levels = scratch.GrowLevels();
            }

            levels[count] = ReadLevel(ref reader, path, count);
            count++;
        }

        return count == 0 ? [] : levels.AsSpan(0, count).ToArray();
    }

    private static PriceSize ReadLevel(ref Utf8JsonReader reader, BookPath sidePath, int index)
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
                        var key = KeyOf(ref reader);
                        if (key == Key.Price)
                        {
                            Advance(ref reader, sidePath);
                            price = ReadNullableNumber(ref reader, sidePath, index, ".price") ?? 0.0;
                        }
                        else if (key == Key.Size)
                        {
                            Advance(ref reader, sidePath);
                            size = ReadNullableNumber(ref reader, sidePath, index, ".size") ?? 0.0;
                        }
                        else if (CaseVariantOf(ref reader) is { } expected)
                        {
                            // {"Price": ..} would otherwise be skipped and read as a level without a price, or worse,
                            // beside a lower-case copy that may disagree: refuse it, whatever else the level holds.
                            var written = reader.GetString();
                            throw new MarketBookFormatException(
                                $"level key \"{written}\" must be written \"{expected}\" (keys are case-sensitive)",
                                sidePath.At(index, "." + written));
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    if (price is null || size is null)
                    {
                        throw new MarketBookFormatException($"level has no {(price is null ? "price" : "size")}", sidePath.At(index, ""));
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
                        throw new MarketBookFormatException("expected a [price, size] pair, got more elements", sidePath.At(index, ""));
                    }

                    return new PriceSize(price, size);
                }

            default:
                throw new MarketBookFormatException($"expected a level object or [price, size] pair, got {Describe(reader.TokenType)}", sidePath.At(index, ""));
        }
    }

    private static double ReadPairElement(ref Utf8JsonReader reader, BookPath sidePath, int index, int element)
    {
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            throw new MarketBookFormatException("expected a [price, size] pair, got fewer elements", sidePath.At(index, ""));
        }

        return ReadNullableNumber(ref reader, sidePath, index, element == 0 ? "[0]" : "[1]") ?? 0.0;
    }

    private static double? ReadNullableNumber(ref Utf8JsonReader reader, BookPath path, int index, string suffix)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                var value = reader.HasValueSequence || !TryParseShortDecimal(reader.ValueSpan, out var quick) ? reader.GetDouble() : quick;
                return Math.Abs(value) <= MaxMagnitude
                    ? value
                    : throw new MarketBookFormatException("number out of range (|x| > 1e15)", path.At(index, suffix));
            default:
                throw new MarketBookFormatException($"expected a number, got {Describe(reader.TokenType)}", path.At(index, suffix));
        }
    }

    internal static readonly double[] PowersOfTen = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>
    /// Fast path for plain decimals such as <c>2.06</c> or <c>-15</c> with at most 15 digits: the mantissa and the
    /// power of ten are exact doubles, so one division gives the correctly rounded value, the same double the general
    /// parser returns. Anything else (exponents, longer numbers) falls back to it. The token is valid JSON already.
    /// </summary>
    private static bool TryParseShortDecimal(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.Length > 16)
        {
            return false;
        }

        ulong mantissa = 0;
        var dot = -1;
        for (var i = 0; i < digits.Length; i++)
        {
            var digit = (uint)(digits[i] - '0');
            if (digit <= 9)
            {
                mantissa = (mantissa * 10) + digit;
            }
            else if (digits[i] == (byte)'.')
            {
                dot = i;
            }
            else
            {
                return false;
            }
        }

        if (dot < 0 && digits.Length > 15)
        {
            return false;
        }

        value = mantissa / PowersOfTen[dot < 0 ? 0 : digits.Length - dot - 1];
        if (negative)
        {
            value = -value;
        }

        return true;
    }

    private static string? ReadString(ref Utf8JsonReader reader, BookPath path, string suffix) => reader.TokenType switch
    {
        JsonTokenType.String => (reader.ValueIsEscaped || reader.HasValueSequence ? null : KnownString(reader.ValueSpan)) ?? reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw new MarketBookFormatException($"expected a string, got {Describe(reader.TokenType)}", path.At(-1, suffix)),
    };

    // Statuses repeat in every book: return the shared literal instead of allocating a new string each time.
    internal static string? KnownString(ReadOnlySpan<byte> text)
    {
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

    // The property names the reader acts on; each object acts on its own and skips the others.
    internal enum Key
    {
        Other,
        MarketId,
        Status,
        Inplay,
        TotalMatched,
        Runners,
        SelectionId,
        Ex,
        AvailableToBack,
        AvailableToLay,
        TradedVolume,
        Price,
        Size,
    }

    // One comparison per property at most, chosen by the name's length, on the raw bytes: unescaping first (what
    // ValueTextEquals does) costs, so only escaped names take that way.
    private static Key KeyOf(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return KeyOfEscaped(ref reader);
        }

        return KeyOf(reader.ValueSpan);
    }

    /// <summary>The key of a property name as written, without escapes.</summary>
    internal static Key KeyOf(ReadOnlySpan<byte> name)
    {
        return name.Length switch
        {
            2 => name.SequenceEqual("ex"u8) ? Key.Ex : Key.Other,
            4 => name.SequenceEqual("size"u8) ? Key.Size : Key.Other,
            5 => name.SequenceEqual("price"u8) ? Key.Price : Key.Other,
            6 => name.SequenceEqual("status"u8) ? Key.Status : name.SequenceEqual("inplay"u8) ? Key.Inplay : Key.Other,
            7 => name.SequenceEqual("runners"u8) ? Key.Runners : Key.Other,
            8 => name.SequenceEqual("marketId"u8) ? Key.MarketId : Key.Other,
            11 => name.SequenceEqual("selectionId"u8) ? Key.SelectionId : Key.Other,
            12 => name.SequenceEqual("totalMatched"u8) ? Key.TotalMatched : name.SequenceEqual("tradedVolume"u8) ? Key.TradedVolume : Key.Other,
            14 => name.SequenceEqual("availableToLay"u8) ? Key.AvailableToLay : Key.Other,
            15 => name.SequenceEqual("availableToBack"u8) ? Key.AvailableToBack : Key.Other,
            _ => Key.Other,
        };
    }

    private static Key KeyOfEscaped(ref Utf8JsonReader reader)
    {
        foreach (var (name, key) in EscapedKeys)
        {
            if (reader.ValueTextEquals(name))
            {
                return key;
            }
        }

        return Key.Other;
    }

    private static readonly (string Name, Key Key)[] EscapedKeys =
    [
        ("marketId", Key.MarketId), ("status", Key.Status), ("inplay", Key.Inplay), ("totalMatched", Key.TotalMatched),
        ("runners", Key.Runners), ("selectionId", Key.SelectionId), ("ex", Key.Ex), ("availableToBack", Key.AvailableToBack),
        ("availableToLay", Key.AvailableToLay), ("tradedVolume", Key.TradedVolume), ("price", Key.Price), ("size", Key.Size),
    ];

    private static JsonTokenType Advance(ref Utf8JsonReader reader, BookPath path) =>
        reader.Read() ? reader.TokenType : throw new MarketBookFormatException("unexpected end of JSON", path.ToString());

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

/// <summary>
/// A JSON path inside one MarketBook, built only when an error needs it, so the happy path allocates nothing:
/// the book's own path, then optionally <c>.runners</c> (<see cref="Runner"/> is <see cref="RunnersArray"/>) or
/// <c>.runners[i]</c>, then optionally a part inside the runner such as <c>.ex.availableToBack</c>.
/// </summary>
internal readonly record struct BookPath(string Book, int Runner = BookPath.NoRunner, string? Part = null)
{
    public const int NoRunner = -2;

    public const int RunnersArray = -1;

    public BookPath InRunners => this with { Runner = RunnersArray };

    public BookPath InRunner(int index) => this with { Runner = index };

    public BookPath InSide(string part) => this with { Part = part };

    /// <summary>This path, then <c>[index]</c> unless <paramref name="index"/> is negative, then <paramref name="suffix"/>.</summary>
    public string At(int index, string suffix)
    {
        var text = new StringBuilder(Book);
        if (Runner != NoRunner)
        {
            text.Append(".runners");
            if (Runner >= 0)
            {
                text.Append('[').Append(Runner).Append(']');
            }
        }

        text.Append(Part);
        if (index >= 0)
        {
            text.Append('[').Append(index).Append(']');
        }

        return text.Append(suffix).ToString();
    }

    public override string ToString() => At(-1, "");
}

/// <summary>
/// Per-thread buffers of the reader, so a book costs one array per side and one for its runners, each of its exact
/// length, and a market id read again and again (a backfill or a poller reads one market's books in turn) is one string.
/// </summary>
internal sealed class ReaderScratch
{
    [ThreadStatic]
    private static ReaderScratch? t_current;

    private string? _lastMarketId;

    public static ReaderScratch ForThisThread => t_current ??= new ReaderScratch();

    public PriceSize[] Levels { get; private set; } = new PriceSize[32];

    public RunnerBook[] Runners { get; private set; } = new RunnerBook[8];

    public PriceSize[] GrowLevels()
    {
        var levels = Levels;
        Array.Resize(ref levels, levels.Length * 2);
        return Levels = levels;
    }

    public RunnerBook[] GrowRunners()
    {
        var runners = Runners;
        Array.Resize(ref runners, runners.Length * 2);
        return Runners = runners;
    }

    /// <summary>
    /// The market id the reader is on when it is a plain ASCII string: the previous one when the text is the same.
    /// Null for anything else (escaped, non-ASCII, not a string), which the caller reads the general way.
    /// </summary>
    public string? RepeatedMarketId(ref Utf8JsonReader reader) =>
        reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence ? null : RepeatedMarketId(reader.ValueSpan);

    /// <summary>A market id written as <paramref name="text"/> (unescaped): the previous one when the text is the same; null when not ASCII.</summary>
    public string? RepeatedMarketId(ReadOnlySpan<byte> text)
    {
        if (_lastMarketId is { } last && Ascii.Equals(text, last))
        {
            return last;
        }

        return Ascii.IsValid(text) ? _lastMarketId = Encoding.ASCII.GetString(text) : null;
    }
}
