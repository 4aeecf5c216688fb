using System.Text.Json;
using System.Text.Json.Serialization;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;

namespace NetBet.Web.Events;

/// <summary>
/// One point of <c>/api/events/{market_id}/timeseries</c>: the last snapshot of a bucket. Every metric column of
/// <see cref="MetricColumns.Names"/> is a field under its storage name (NULL stays null), so a metric added to Core
/// appears here by itself. The optional objects keep the camelCase names clients know and are left out entirely when
/// not asked for: <c>impedance</c>, <c>impedanceNorm</c> and <c>sizeImpedanceL1</c> (per outcome) with
/// <c>include_impedance</c>, <c>impedanceInputs</c> with <c>include_impedance_inputs</c>. Written by a converter:
/// the field list is Core's, not a C# property list.
/// </summary>
[JsonConverter(typeof(Converter))]
internal sealed record TimeseriesPoint(MetricPointRow Row, bool IncludeImpedance, bool IncludeInputs)
{
    private static readonly JsonEncodedText TotalVolume = JsonEncodedText.Encode(MetricColumns.Names[MetricColumns.TotalVolumeIndex]);
    private static readonly JsonEncodedText[] OutcomeKeys = [.. MetricColumns.Outcomes.Select(o => JsonEncodedText.Encode(MetricColumns.Prefix(o)))];

    private sealed class Converter : JsonConverter<TimeseriesPoint>
    {
        public override TimeseriesPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Timeseries points are only written.");

        public override void Write(Utf8JsonWriter writer, TimeseriesPoint value, JsonSerializerOptions options)
        {
            var row = value.Row;
            var outcomes = OutcomeMetrics.Of(row.Metrics);
            writer.WriteStartObject();
            writer.WriteNumber("snapshot_id", row.SnapshotId);
            writer.WriteString("snapshot_at", row.SnapshotAt);
            if (row.Inplay is { } inplay)
            {
                writer.WriteBoolean("inplay", inplay);
            }
            else
            {
                writer.WriteNull("inplay");
            }

            writer.WriteString("status", row.Status);
            writer.WriteBoolean("has_metrics", row.HasDerivedRow);
            foreach (var outcome in outcomes)
            {
                outcome.WriteColumns(writer);
            }

            OutcomeMetrics.WriteNumber(writer, TotalVolume, row.Metrics[MetricColumns.TotalVolumeIndex]);
            if (value.IncludeImpedance)
            {
                WriteByOutcome(writer, "impedance", outcomes, o => o[OutcomeMetric.Impedance]);
                WriteByOutcome(writer, "impedanceNorm", outcomes, o => o[OutcomeMetric.ImpedanceNorm]);
                WriteByOutcome(writer, "sizeImpedanceL1", outcomes, o => o.SizeImpedanceL1);
            }

            if (value.IncludeInputs)
            {
                writer.WriteStartObject("impedanceInputs");
                foreach (var o in outcomes)
                {
                    writer.WriteStartObject(OutcomeKeys[(int)o.Outcome]);
                    OutcomeMetrics.WriteNumber(writer, Inputs.BackStake, o[OutcomeMetric.BackStake]);
                    OutcomeMetrics.WriteNumber(writer, Inputs.BackOdds, o[OutcomeMetric.BackOdds]);
                    OutcomeMetrics.WriteNumber(writer, Inputs.BackProfit, o.BackProfit);
                    OutcomeMetrics.WriteNumber(writer, Inputs.LayStake, o[OutcomeMetric.LayStake]);
                    OutcomeMetrics.WriteNumber(writer, Inputs.LayOdds, o[OutcomeMetric.LayOdds]);
                    OutcomeMetrics.WriteNumber(writer, Inputs.LayLiability, o.LayLiability);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        private static void WriteByOutcome(Utf8JsonWriter writer, string name, OutcomeMetrics[] outcomes, Func<OutcomeMetrics, double?> value)
        {
            writer.WriteStartObject(name);
            foreach (var o in outcomes)
            {
                OutcomeMetrics.WriteNumber(writer, OutcomeKeys[(int)o.Outcome], value(o));
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>The field names of one outcome's <c>impedanceInputs</c> object (METRICS.md section 4).</summary>
    private static class Inputs
    {
        public static readonly JsonEncodedText BackStake = JsonEncodedText.Encode("backStake");
        public static readonly JsonEncodedText BackOdds = JsonEncodedText.Encode("backOdds");
        public static readonly JsonEncodedText BackProfit = JsonEncodedText.Encode("backProfit");
        public static readonly JsonEncodedText LayStake = JsonEncodedText.Encode("layStake");
        public static readonly JsonEncodedText LayOdds = JsonEncodedText.Encode("layOdds");
        public static readonly JsonEncodedText LayLiability = JsonEncodedText.Encode("layLiability");
    }
}

/// <summary>A stored snapshot's raw MarketBook, as JSON (null when the stored payload is NULL).</summary>
internal sealed record RawSnapshot(long SnapshotId, string MarketId, DateTimeOffset SnapshotAt, JsonElement? RawPayload)
{
    public static RawSnapshot From(RawSnapshotRow row)
    {
        JsonElement? payload = null;
        if (row.RawPayloadJson is { } json)
        {
            using var document = JsonDocument.Parse(json);
            payload = document.RootElement.Clone();
        }

        return new RawSnapshot(row.SnapshotId, row.MarketId, row.SnapshotAt, payload);
    }
}
