using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>Renders a <see cref="MarketState"/> in the listMarketBook MarketBook shape (see <see cref="MarketState.WriteMarketBook"/>).</summary>
internal static class MarketBookJsonWriter
{
    public static void Write(MarketState market, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var definition = market.Definition;
        var runners = OrderedRunners(market);
        var runnerTotals = new double[runners.Count];
        var tradedLadders = new PriceSize[runners.Count][];
        var sumOfRunners = 0.0;
        for (var i = 0; i < runners.Count; i++)
        {
            tradedLadders[i] = MarketState.RenderedTrd(runners[i].State).Sorted(descending: false);
            foreach (var level in tradedLadders[i])
            {
                runnerTotals[i] += level.Size;
            }

            sumOfRunners += runnerTotals[i];
        }

        writer.WriteStartObject();
        writer.WriteString("marketId"u8, market.MarketId);
        writer.WriteBoolean("isMarketDataDelayed"u8, false);
        WriteStringOrSkip(writer, "status"u8, definition?.Status);
        if (definition?.BetDelay is { } betDelay)
        {
            writer.WriteNumber("betDelay"u8, betDelay);
        }

        WriteBoolOrSkip(writer, "bspReconciled"u8, definition?.BspReconciled);
        WriteBoolOrSkip(writer, "complete"u8, definition?.Complete);
        if (definition?.InPlay is { } inPlay)
        {
            writer.WriteBoolean("inplay"u8, inPlay);
        }

        if (definition?.NumberOfWinners is { } winners)
        {
            writer.WriteNumber("numberOfWinners"u8, winners);
        }

        writer.WriteNumber("numberOfRunners"u8, runners.Count);
        if (definition?.NumberOfActiveRunners is { } active)
        {
            writer.WriteNumber("numberOfActiveRunners"u8, active);
        }

        if (market.LastMatchTime is { } lastMatch)
        {
            writer.WriteString("lastMatchTime"u8, FormatTime(lastMatch));
        }

        writer.WriteNumber("totalMatched"u8, market.RenderedTotalVolume() ?? sumOfRunners);
        WriteBoolOrSkip(writer, "crossMatching"u8, definition?.CrossMatching);
        WriteBoolOrSkip(writer, "runnersVoidable"u8, definition?.RunnersVoidable);
        if (definition?.Version is { } version)
        {
            writer.WriteNumber("version"u8, version);
        }

        writer.WriteStartArray("runners"u8);
        for (var i = 0; i < runners.Count; i++)
        {
            WriteRunner(market, writer, runners[i], runnerTotals[i], tradedLadders[i]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
    }

    private static void WriteRunner(MarketState market, Utf8JsonWriter writer, (RunnerState State, string? Status) runner, double totalMatched, PriceSize[] traded)
    {
        var state = runner.State;
        writer.WriteStartObject();
        writer.WriteNumber("selectionId"u8, state.SelectionId);
        writer.WriteNumber("handicap"u8, state.Handicap);
        WriteStringOrSkip(writer, "status"u8, runner.Status);
        if (state.LastPriceTraded is { } ltp)
        {
            writer.WriteNumber("lastPriceTraded"u8, ltp);
        }

        writer.WriteNumber("totalMatched"u8, totalMatched);
        writer.WriteStartObject("ex"u8);
        var (back, lay) = market.HasFullDepth ? (state.Atb.Sorted(descending: true), state.Atl.Sorted(descending: false))
            : market.HasBestOffers ? (state.Batb.Levels(), state.Batl.Levels())
            : market.HasDisplayOffers ? (state.Bdatb.Levels(), state.Bdatl.Levels())
            : ([], []);
        WriteLevels(writer, "availableToBack"u8, back);
        WriteLevels(writer, "availableToLay"u8, lay);
        WriteLevels(writer, "tradedVolume"u8, traded);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteLevels(Utf8JsonWriter writer, ReadOnlySpan<byte> name, PriceSize[] levels)
    {
        writer.WriteStartArray(name);
        foreach (var level in levels)
        {
            writer.WriteStartObject();
            WriteNumber(writer, "price"u8, level.Price);
            WriteNumber(writer, "size"u8, level.Size);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Writes <paramref name="value"/> exactly as <see cref="Utf8JsonWriter.WriteNumber(ReadOnlySpan{byte}, double)"/>
    /// does (the shortest text that reads back as the same double), faster for the values ladders hold: prices and
    /// sizes with at most six decimals. For such a value, the double nearest to the decimal m / 10^6, the decimal with
    /// its trailing zeros cut is that shortest text: any other decimal of six or fewer places is at least 10^-6 away,
    /// far more than the gap between doubles below 10^9. Other values take the writer's own formatting.
    /// </summary>
    internal static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double value)
    {
        // Below 10^-4 the writer switches to exponent notation; the bound above keeps m far inside a double's integers.
        if (!(value >= 1e-4 && value < 1e9))
        {
            writer.WriteNumber(name, value);
            return;
        }

        var micros = (long)Math.Round(value * 1e6);
        if (micros / 1e6 != value)
        {
            writer.WriteNumber(name, value);
            return;
        }

        Span<byte> text = stackalloc byte[24];
        var integer = micros / 1_000_000;
        var fraction = (int)(micros % 1_000_000);
        Utf8Formatter.TryFormat(integer, text, out var length);
        if (fraction != 0)
        {
            var digits = 6;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            text[length] = (byte)'.';
            for (var i = digits; i > 0; i--)
            {
                text[length + i] = (byte)('0' + (fraction % 10));
                fraction /= 10;
            }

            length += digits + 1;
        }

        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    /// <summary>Definition runners first, in definition order, then any runner only seen in runner changes.</summary>
    private static List<(RunnerState State, string? Status)> OrderedRunners(MarketState market)
    {
        var ordered = new List<(RunnerState, string?)>(market.Runners.Count);
        var seen = new HashSet<RunnerState>();
        if (market.Definition is { } definition)
        {
            foreach (var runner in definition.Runners)
            {
                var state = market.GetRunner(runner.SelectionId, (long)Math.Round(runner.Handicap * PriceTicks.Scale));
                if (state is not null && seen.Add(state))
                {
                    ordered.Add((state, runner.Status));
                }
            }
        }

        foreach (var state in market.Runners)
        {
            if (seen.Add(state))
            {
                ordered.Add((state, null));
            }
        }

        return ordered;
    }

    private static string FormatTime(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void WriteStringOrSkip(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteBoolOrSkip(Utf8JsonWriter writer, ReadOnlySpan<byte> name, bool? value)
    {
        if (value is { } v)
        {
            writer.WriteBoolean(name, v);
        }
    }
}
