using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>The envelope of one stream line.</summary>
internal struct MessageEnvelope
{
    public bool IsMarketChangeOp;
    public bool HasOp;
    public long? PublishTime;
    public bool HasMarketChanges;
    public SegmentKind Segment;
    public StreamChangeType ChangeType;
    public bool Conflated;
    public int? Status;
    public string? Clk;
    public string? InitialClk;
}

internal enum SegmentKind : byte
{
    None,
    Start,
    Middle,
    End,
}

/// <summary>
/// Parses one stream line into <see cref="PendingChanges"/> with <see cref="Utf8JsonReader"/> (no DOM). Errors
/// throw <see cref="StreamFormatException"/> naming the JSON path; the caller rolls the buffers back.
/// </summary>
internal static partial class StreamMessageParser
{
    public static MessageEnvelope Parse(ReadOnlySpan<byte> line, PendingChanges pending)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            var envelope = ParseEnvelope(ref reader, pending);
            if (reader.Read())
            {
                throw Error("unexpected content after the message", "$");
            }

            return envelope;
        }
        catch (JsonException e) when (e.BytePositionInLine >= line.TrimEnd(" \t\r\n"u8).Length)
        {
            throw new StreamFormatException("unexpected end of line (truncated message?)", e);
        }
        catch (JsonException e)
        {
            throw new StreamFormatException($"invalid JSON at byte {e.BytePositionInLine + 1} ({MarketBookReader.FirstSentence(e.Message)})", e);
        }
    }

    private static MessageEnvelope ParseEnvelope(ref Utf8JsonReader reader, PendingChanges pending)
    {
        if (Next(ref reader) != JsonTokenType.StartObject)
        {
            throw Error($"expected a JSON object, got {MarketBookReader.Describe(reader.TokenType)}", "$");
        }

        var envelope = default(MessageEnvelope);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("mc"u8))
            {
                Next(ref reader);
                envelope.HasMarketChanges = ParseMarketChanges(ref reader, pending);
            }
            else if (reader.ValueTextEquals("pt"u8))
            {
                Next(ref reader);
                envelope.PublishTime = reader.TokenType switch
                {
                    JsonTokenType.Null => null,
                    JsonTokenType.Number when reader.TryGetInt64(out var pt) && pt >= 0 => pt,
                    _ => throw Error("expected pt as milliseconds since the Unix epoch", "$.pt"),
                };
            }
            else if (reader.ValueTextEquals("op"u8))
            {
                Next(ref reader);
                envelope.HasOp = true;
                envelope.IsMarketChangeOp = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("mcm"u8);
            }
            else if (reader.ValueTextEquals("ct"u8))
            {
                Next(ref reader);
                envelope.ChangeType = reader.TokenType != JsonTokenType.String ? StreamChangeType.Delta
                    : reader.ValueTextEquals("SUB_IMAGE"u8) ? StreamChangeType.SubImage
                    : reader.ValueTextEquals("RESUB_DELTA"u8) ? StreamChangeType.ResubDelta
                    : reader.ValueTextEquals("HEARTBEAT"u8) ? StreamChangeType.Heartbeat
                    : StreamChangeType.Delta;
            }
            else if (reader.ValueTextEquals("clk"u8))
            {
                Next(ref reader);
                envelope.Clk = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("initialClk"u8))
            {
                Next(ref reader);
                envelope.InitialClk = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("con"u8))
            {
                Next(ref reader);
                envelope.Conflated = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                Next(ref reader);
                envelope.Status = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var status) ? status : null;
            }
            else if (reader.ValueTextEquals("segmentType"u8))
            {
                Next(ref reader);
                envelope.Segment = reader.TokenType != JsonTokenType.String ? SegmentKind.None
                    : reader.ValueTextEquals("SEG_START"u8) ? SegmentKind.Start
                    : reader.ValueTextEquals("SEG"u8) ? SegmentKind.Middle
                    : reader.ValueTextEquals("SEG_END"u8) ? SegmentKind.End
                    : throw Error("unknown segmentType", "$.segmentType");
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        return envelope;
    }

    private static bool ParseMarketChanges(ref Utf8JsonReader reader, PendingChanges pending)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error($"expected an array, got {MarketBookReader.Describe(reader.TokenType)}", "$.mc");
        }

        var index = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error($"expected a market change object, got {MarketBookReader.Describe(reader.TokenType)}", $"$.mc[{index}]");
            }

            ParseMarketChange(ref reader, pending, index++);
        }

        return index > 0;
    }

    private static void ParseMarketChange(ref Utf8JsonReader reader, PendingChanges pending, int index)
    {
        ref var market = ref pending.Markets.Add();
        market.IdStart = pending.IdChars.Count;
        market.RunnerStart = pending.Runners.Count;
        var hasId = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("rc"u8))
            {
                Next(ref reader);
                market.RunnerCount = ParseRunnerChanges(ref reader, pending, index);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length is 0 or > 64)
                {
                    throw Error("expected the market id as a string", $"$.mc[{index}].id");
                }

                var chars = pending.IdChars.Reserve(reader.ValueSpan.Length);
                var written = reader.CopyString(chars);
                pending.IdChars.Truncate(market.IdStart + written);
                market.IdLength = written;
                hasId = true;
            }
            else if (reader.ValueTextEquals("img"u8))
            {
                Next(ref reader);
                market.Image = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("tv"u8))
            {
                Next(ref reader);
                if (!TryReadNullableSize(ref reader, out market.Tv))
                {
                    throw Error("expected an amount (a number, zero or positive)", $"$.mc[{index}].tv");
                }

            }
            else if (reader.ValueTextEquals("marketDefinition"u8))
            {
                Next(ref reader);
                market.Definition = reader.TokenType == JsonTokenType.Null ? null : ParseDefinition(ref reader, pending.Strings, $"$.mc[{index}].marketDefinition");
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        if (!hasId)
        {
            throw Error("market change without id", $"$.mc[{index}]");
        }
    }

    private static int ParseRunnerChanges(ref Utf8JsonReader reader, PendingChanges pending, int marketIndex)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error($"expected an array, got {MarketBookReader.Describe(reader.TokenType)}", $"$.mc[{marketIndex}].rc");
        }

        var count = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error($"expected a runner change object, got {MarketBookReader.Describe(reader.TokenType)}", $"$.mc[{marketIndex}].rc[{count}]");
            }

            ParseRunnerChange(ref reader, pending, marketIndex, count++);
        }

        return count;
    }

    private static void ParseRunnerChange(ref Utf8JsonReader reader, PendingChanges pending, int marketIndex, int runnerIndex)
    {
        ref var runner = ref pending.Runners.Add();
        runner.OpStart = pending.Ops.Count;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("atb"u8))
            {
                ParsePairs(ref reader, pending, LadderField.Atb, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("atl"u8))
            {
                ParsePairs(ref reader, pending, LadderField.Atl, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("trd"u8))
            {
                ParsePairs(ref reader, pending, LadderField.Trd, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("id"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out runner.Id))
                {
                    throw Error("expected the selection id as an integer", RunnerPath(marketIndex, runnerIndex, ".id"));
                }

                runner.HasId = true;
            }
            else if (reader.ValueTextEquals("ltp"u8))
            {
                Next(ref reader);
                if (!TryReadNullablePrice(ref reader, out runner.Ltp))
                {
                    throw Error("expected a positive price", RunnerPath(marketIndex, runnerIndex, ".ltp"));
                }

            }
            else if (reader.ValueTextEquals("tv"u8))
            {
                Next(ref reader);
                if (!TryReadNullableSize(ref reader, out runner.Tv))
                {
                    throw Error("expected an amount (a number, zero or positive)", RunnerPath(marketIndex, runnerIndex, ".tv"));
                }

            }
            else if (reader.ValueTextEquals("hc"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.Null
                    && (reader.TokenType != JsonTokenType.Number || !PriceTicks.TryRead(ref reader, out runner.Handicap)))
                {
                    throw Error("expected the handicap as a number", RunnerPath(marketIndex, runnerIndex, ".hc"));
                }
            }
            else if (reader.ValueTextEquals("batb"u8))
            {
                ParseTriples(ref reader, pending, LadderField.Batb, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("batl"u8))
            {
                ParseTriples(ref reader, pending, LadderField.Batl, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("bdatb"u8))
            {
                ParseTriples(ref reader, pending, LadderField.Bdatb, marketIndex, runnerIndex);
            }
            else if (reader.ValueTextEquals("bdatl"u8))
            {
                ParseTriples(ref reader, pending, LadderField.Bdatl, marketIndex, runnerIndex);
            }
            else
            {
                // spn, spf, spb, spl: Betfair SP fields (racing); nothing we render uses them.
                Next(ref reader);
                reader.Skip();
            }
        }

        if (!runner.HasId)
        {
            throw Error("runner change without id", RunnerPath(marketIndex, runnerIndex, ""));
        }

        runner.OpCount = pending.Ops.Count - runner.OpStart;
    }

    /// <summary>Reads <c>[[price,size],...]</c>; the reader is on the property name.</summary>
    private static void ParsePairs(ref Utf8JsonReader reader, PendingChanges pending, LadderField field, int marketIndex, int runnerIndex)
    {
        if (Next(ref reader) == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error("expected an array of [price,size] pairs", RunnerPath(marketIndex, runnerIndex, "." + FieldName(field)));
        }

        var element = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray
                || Next(ref reader) != JsonTokenType.Number
                || !PriceTicks.TryRead(ref reader, out var price)
                || price <= 0
                || Next(ref reader) != JsonTokenType.Number
                || !reader.TryGetDouble(out var size)
                || Next(ref reader) != JsonTokenType.EndArray)
            {
                throw Error("expected [price,size] with a positive price and a number size", ElementPath(field, marketIndex, runnerIndex, element));
            }

            if (!(size >= 0) || double.IsInfinity(size))
            {
                throw Error("size must be zero or positive", ElementPath(field, marketIndex, runnerIndex, element));
            }

            ref var op = ref pending.Ops.Add();
            op.Field = field;
            op.Price = price;
            op.Size = size;
            element++;
        }
    }

    /// <summary>Reads <c>[[level,price,size],...]</c>; the reader is on the property name.</summary>
    private static void ParseTriples(ref Utf8JsonReader reader, PendingChanges pending, LadderField field, int marketIndex, int runnerIndex)
    {
        if (Next(ref reader) == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error("expected an array of [level,price,size] triples", RunnerPath(marketIndex, runnerIndex, "." + FieldName(field)));
        }

        var element = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            // A removed level may carry price 0 ([2,0,0]), so only negative prices are wrong here.
            if (reader.TokenType != JsonTokenType.StartArray
                || Next(ref reader) != JsonTokenType.Number
                || !reader.TryGetInt32(out var level)
                || level is < 0 or >= LevelLadder.MaxLevels
                || Next(ref reader) != JsonTokenType.Number
                || !PriceTicks.TryRead(ref reader, out var price)
                || price < 0
                || Next(ref reader) != JsonTokenType.Number
                || !reader.TryGetDouble(out var size)
                || Next(ref reader) != JsonTokenType.EndArray)
            {
                throw Error($"expected [level,price,size] with a level 0..{LevelLadder.MaxLevels - 1}", ElementPath(field, marketIndex, runnerIndex, element));
            }

            if (!(size >= 0) || double.IsInfinity(size))
            {
                throw Error("size must be zero or positive", ElementPath(field, marketIndex, runnerIndex, element));
            }

            ref var op = ref pending.Ops.Add();
            op.Field = field;
            op.Level = level;
            op.Price = price;
            op.Size = size;
            element++;
        }
    }

    private static bool TryReadNullablePrice(ref Utf8JsonReader reader, out double? price)
    {
        price = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && value > 0 && double.IsFinite(value))
        {
            price = value;
            return true;
        }

        return false;
    }

    private static bool TryReadNullableSize(ref Utf8JsonReader reader, out double? size)
    {
        size = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && value >= 0 && double.IsFinite(value))
        {
            size = value;
            return true;
        }

        return false;
    }

    private static string RunnerPath(int marketIndex, int runnerIndex, string suffix) => $"$.mc[{marketIndex}].rc[{runnerIndex}]{suffix}";

    private static string ElementPath(LadderField field, int marketIndex, int runnerIndex, int element) =>
        $"$.mc[{marketIndex}].rc[{runnerIndex}].{FieldName(field)}[{element}]";

    internal static string FieldName(LadderField field) => field switch
    {
        LadderField.Atb => "atb",
        LadderField.Atl => "atl",
        LadderField.Trd => "trd",
        LadderField.Batb => "batb",
        LadderField.Batl => "batl",
        LadderField.Bdatb => "bdatb",
        _ => "bdatl",
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw Error("unexpected end of line (truncated message?)", "$");

    private static StreamFormatException Error(string what, string path) => new($"{what} at {path}");
}
