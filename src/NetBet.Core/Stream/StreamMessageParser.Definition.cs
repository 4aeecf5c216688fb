using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

internal static partial class StreamMessageParser
{
    private static MarketDefinition ParseDefinition(ref Utf8JsonReader reader, StringPool strings, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error($"expected an object, got {MarketBookReader.Describe(reader.TokenType)}", path);
        }

        string? status = null, eventTypeId = null, eventId = null, eventName = null, name = null, marketType = null,
            bettingType = null, countryCode = null, timezone = null, priceLadderType = null;
        DateTimeOffset? openDate = null, marketTime = null;
        bool? inPlay = null, complete = null, crossMatching = null, runnersVoidable = null, bspReconciled = null;
        int? betDelay = null, numberOfWinners = null, numberOfActiveRunners = null;
        long? version = null;
        List<RunnerDefinition> runners = [];
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var property = reader.ValueSpan;
            Next(ref reader);
            switch (PropertyOf(property))
            {
                case "status": status = ReadPooledString(ref reader, strings, path, "status"); break;
                case "inPlay": inPlay = ReadBool(ref reader, path, "inPlay"); break;
                case "eventTypeId": eventTypeId = ReadPooledString(ref reader, strings, path, "eventTypeId"); break;
                case "eventId": eventId = ReadPooledString(ref reader, strings, path, "eventId"); break;
                case "eventName": eventName = ReadPooledString(ref reader, strings, path, "eventName"); break;
                case "name": name = ReadPooledString(ref reader, strings, path, "name"); break;
                case "marketType": marketType = ReadPooledString(ref reader, strings, path, "marketType"); break;
                case "bettingType": bettingType = ReadPooledString(ref reader, strings, path, "bettingType"); break;
                case "countryCode": countryCode = ReadPooledString(ref reader, strings, path, "countryCode"); break;
                case "timezone": timezone = ReadPooledString(ref reader, strings, path, "timezone"); break;
                case "openDate": openDate = ReadTime(ref reader, path, "openDate"); break;
                case "marketTime": marketTime = ReadTime(ref reader, path, "marketTime"); break;
                case "complete": complete = ReadBool(ref reader, path, "complete"); break;
                case "crossMatching": crossMatching = ReadBool(ref reader, path, "crossMatching"); break;
                case "runnersVoidable": runnersVoidable = ReadBool(ref reader, path, "runnersVoidable"); break;
                case "bspReconciled": bspReconciled = ReadBool(ref reader, path, "bspReconciled"); break;
                case "betDelay": betDelay = ReadInt32(ref reader, path, "betDelay"); break;
                case "numberOfWinners": numberOfWinners = ReadInt32(ref reader, path, "numberOfWinners"); break;
                case "numberOfActiveRunners": numberOfActiveRunners = ReadInt32(ref reader, path, "numberOfActiveRunners"); break;
                case "version": version = ReadInteger(ref reader, path, "version"); break;
                case "priceLadderDefinition": priceLadderType = ReadPriceLadderType(ref reader, strings, path + ".priceLadderDefinition"); break;
                case "runners": ParseRunnerDefinitions(ref reader, runners, strings, path + ".runners"); break;
                default: reader.Skip(); break;
            }
        }

        return new MarketDefinition
        {
            Status = status,
            InPlay = inPlay,
            EventTypeId = eventTypeId,
            EventId = eventId,
            EventName = eventName,
            Name = name,
            MarketType = marketType,
            BettingType = bettingType,
            OpenDate = openDate,
            MarketTime = marketTime,
            CountryCode = countryCode,
            Timezone = timezone,
            BetDelay = betDelay,
            Version = version,
            NumberOfWinners = numberOfWinners,
            NumberOfActiveRunners = numberOfActiveRunners,
            Complete = complete,
            CrossMatching = crossMatching,
            RunnersVoidable = runnersVoidable,
            BspReconciled = bspReconciled,
            PriceLadderType = priceLadderType,
            Runners = runners,
        };
    }

    private static void ParseRunnerDefinitions(ref Utf8JsonReader reader, List<RunnerDefinition> runners, StringPool strings, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error($"expected an array, got {MarketBookReader.Describe(reader.TokenType)}", path);
        }

        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Error($"expected a runner object, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}[{runners.Count}]");
            }

            long? id = null;
            long handicap = 0;
            int? sortPriority = null;
            string? status = null, name = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                // Runner paths are only built for an error: a definition can list a hundred runners.
                if (reader.ValueTextEquals("id"u8))
                {
                    Next(ref reader);
                    id = ReadInteger(ref reader, $"{path}[{runners.Count}]", "id");
                }
                else if (reader.ValueTextEquals("sortPriority"u8))
                {
                    Next(ref reader);
                    sortPriority = ReadInt32(ref reader, $"{path}[{runners.Count}]", "sortPriority");
                }
                else if (reader.ValueTextEquals("status"u8))
                {
                    Next(ref reader);
                    status = ReadPooledString(ref reader, strings, $"{path}[{runners.Count}]", "status");
                }
                else if (reader.ValueTextEquals("name"u8))
                {
                    Next(ref reader);
                    name = ReadPooledString(ref reader, strings, $"{path}[{runners.Count}]", "name");
                }
                else if (reader.ValueTextEquals("hc"u8))
                {
                    Next(ref reader);
                    if (reader.TokenType != JsonTokenType.Null
                        && (reader.TokenType != JsonTokenType.Number || !PriceTicks.TryRead(ref reader, out handicap)))
                    {
                        throw Error("expected the handicap as a number", $"{path}[{runners.Count}].hc");
                    }
                }
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }

            runners.Add(new RunnerDefinition(
                id ?? throw Error("runner without id", $"{path}[{runners.Count}]"),
                PriceTicks.ToDouble(handicap),
                sortPriority,
                status,
                name));
        }
    }

    /// <summary>Reads <c>{"type":"CLASSIC"}</c>; the ladder type decides which prices the market's ladders accept.</summary>
    private static string? ReadPriceLadderType(ref Utf8JsonReader reader, StringPool strings, string path)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error($"expected an object, got {MarketBookReader.Describe(reader.TokenType)}", path);
        }

        string? type = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            Next(ref reader);
            if (isType)
            {
                type = ReadPooledString(ref reader, strings, path, "type");
            }
            else
            {
                reader.Skip();
            }
        }

        return type;
    }

    /// <summary>Maps the definition property names we read to interned strings; everything else to null.</summary>
    private static string? PropertyOf(ReadOnlySpan<byte> name) => name switch
    {
        _ when name.SequenceEqual("status"u8) => "status",
        _ when name.SequenceEqual("inPlay"u8) => "inPlay",
        _ when name.SequenceEqual("eventTypeId"u8) => "eventTypeId",
        _ when name.SequenceEqual("eventId"u8) => "eventId",
        _ when name.SequenceEqual("eventName"u8) => "eventName",
        _ when name.SequenceEqual("name"u8) => "name",
        _ when name.SequenceEqual("marketType"u8) => "marketType",
        _ when name.SequenceEqual("bettingType"u8) => "bettingType",
        _ when name.SequenceEqual("countryCode"u8) => "countryCode",
        _ when name.SequenceEqual("timezone"u8) => "timezone",
        _ when name.SequenceEqual("openDate"u8) => "openDate",
        _ when name.SequenceEqual("marketTime"u8) => "marketTime",
        _ when name.SequenceEqual("complete"u8) => "complete",
        _ when name.SequenceEqual("crossMatching"u8) => "crossMatching",
        _ when name.SequenceEqual("runnersVoidable"u8) => "runnersVoidable",
        _ when name.SequenceEqual("bspReconciled"u8) => "bspReconciled",
        _ when name.SequenceEqual("betDelay"u8) => "betDelay",
        _ when name.SequenceEqual("numberOfWinners"u8) => "numberOfWinners",
        _ when name.SequenceEqual("numberOfActiveRunners"u8) => "numberOfActiveRunners",
        _ when name.SequenceEqual("version"u8) => "version",
        _ when name.SequenceEqual("runners"u8) => "runners",
        _ when name.SequenceEqual("priceLadderDefinition"u8) => "priceLadderDefinition",
        _ => null,
    };

    private static string? ReadPooledString(ref Utf8JsonReader reader, StringPool strings, string path, string property) => reader.TokenType switch
    {
        JsonTokenType.String => strings.Get(ref reader),
        JsonTokenType.Null => null,
        _ => throw Error($"expected a string, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}.{property}"),
    };

    private static bool? ReadBool(ref Utf8JsonReader reader, string path, string property) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw Error($"expected true or false, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}.{property}"),
    };

    private static long? ReadInteger(ref Utf8JsonReader reader, string path, string property) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt64(out var value) => value,
        _ => throw Error($"expected an integer, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}.{property}"),
    };

    private static int? ReadInt32(ref Utf8JsonReader reader, string path, string property) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetInt32(out var value) => value,
        _ => throw Error($"expected an integer, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}.{property}"),
    };

    /// <summary>An unreadable time is not worth rejecting the line for: it only feeds metadata.</summary>
    private static DateTimeOffset? ReadTime(ref Utf8JsonReader reader, string path, string property) => reader.TokenType switch
    {
        JsonTokenType.String => reader.TryGetDateTimeOffset(out var time) ? time : null,
        JsonTokenType.Null => null,
        _ => throw Error($"expected an ISO 8601 time, got {MarketBookReader.Describe(reader.TokenType)}", $"{path}.{property}"),
    };
}
