using System.Text.Json;
using System.Text.Json.Serialization;
using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Web.Events;

/// <summary>
/// One outcome's metrics as the API serves them, the only per-outcome shape: every stored per-outcome column of
/// <see cref="MetricColumns"/> and the formulas Core computes from them. A league event's <c>home</c>, <c>away</c>
/// and <c>draw</c> objects are this, keyed by column suffix (<c>best_back</c>, ...); a timeseries point writes the
/// stored part flat under the full column names (<c>home_best_back</c>, ...) and the formulas in its camelCase objects.
/// A metric added to Core appears in both without a change here.
/// </summary>
[JsonConverter(typeof(Converter))]
internal readonly record struct OutcomeMetrics(IReadOnlyList<double?> Values, Outcome Outcome)
{
    private static readonly JsonEncodedText[] SuffixNames =
        [.. MetricColumns.Metrics.Select(m => JsonEncodedText.Encode(MetricColumns.Suffix(m)))];

    private static readonly JsonEncodedText[][] ColumnNames =
        [.. MetricColumns.Outcomes.Select(o => MetricColumns.Metrics.Select(m => JsonEncodedText.Encode(MetricColumns.Name(o, m))).ToArray())];

    private static readonly JsonEncodedText BackProfitName = JsonEncodedText.Encode("back_profit");
    private static readonly JsonEncodedText LayLiabilityName = JsonEncodedText.Encode("lay_liability");
    private static readonly JsonEncodedText SizeImpedanceL1Name = JsonEncodedText.Encode("size_impedance_l1");

    public double? this[OutcomeMetric metric] => Values[MetricColumns.IndexOf(Outcome, metric)];

    /// <summary><c>backStake × (backOdds − 1)</c>, see <see cref="OutcomeFormulas.BackProfit(IReadOnlyList{double?}, Outcome)"/>.</summary>
    public double? BackProfit => OutcomeFormulas.BackProfit(Values, Outcome);

    /// <summary><c>layStake × (layOdds − 1)</c>, see <see cref="OutcomeFormulas.LayLiability(IReadOnlyList{double?}, Outcome)"/>.</summary>
    public double? LayLiability => OutcomeFormulas.LayLiability(Values, Outcome);

    /// <summary>The Size Impedance Index (L1), see <see cref="OutcomeFormulas.SizeImpedanceL1"/>.</summary>
    public double? SizeImpedanceL1 => OutcomeFormulas.SizeImpedanceL1(Values, Outcome);

    /// <summary>The three outcomes of one row, in column order.</summary>
    public static OutcomeMetrics[] Of(IReadOnlyList<double?> values) =>
        [.. MetricColumns.Outcomes.Select(o => new OutcomeMetrics(values, o))];

    /// <summary>Writes the stored metrics as properties of the current object, under their full column names.</summary>
    public void WriteColumns(Utf8JsonWriter writer) => WriteStored(writer, ColumnNames[(int)Outcome]);

    /// <summary>Writes <paramref name="value"/>, or null: NULL stays null.</summary>
    public static void WriteNumber(Utf8JsonWriter writer, JsonEncodedText name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private void WriteStored(Utf8JsonWriter writer, JsonEncodedText[] names)
    {
        foreach (var metric in MetricColumns.Metrics)
        {
            WriteNumber(writer, names[(int)metric], this[metric]);
        }
    }

    private sealed class Converter : JsonConverter<OutcomeMetrics>
    {
        public override OutcomeMetrics Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Outcome metrics are only written.");

        public override void Write(Utf8JsonWriter writer, OutcomeMetrics value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            value.WriteStored(writer, SuffixNames);
            WriteNumber(writer, BackProfitName, value.BackProfit);
            WriteNumber(writer, LayLiabilityName, value.LayLiability);
            WriteNumber(writer, SizeImpedanceL1Name, value.SizeImpedanceL1);
            writer.WriteEndObject();
        }
    }
}
