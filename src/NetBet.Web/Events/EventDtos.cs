using System.Text.Json;
using System.Text.Json.Serialization;
using NetBet.Core.Books;
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
    // Arrays, not Core's IReadOnlyList: a foreach over the interface allocates an enumerator, five per point.
    private static readonly Outcome[] Outcomes = [.. MetricColumns.Outcomes];
    private static readonly JsonEncodedText[] OutcomeKeys = [.. MetricColumns.Outcomes.Select(o => JsonEncodedText.Encode(MetricColumns.Prefix(o)))];

    // Internal, not private: the source generator instantiates it.
    internal sealed class Converter : JsonConverter<TimeseriesPoint>
    {
        public override TimeseriesPoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Timeseries points are only written.");

        public override void Write(Utf8JsonWriter writer, TimeseriesPoint value, JsonSerializerOptions options)
        {
            // 1,440 points of ~50 numbers each per answer: property names are pre-encoded and the three outcomes
            // are structs on the stack, so a point allocates nothing here.
            var row = value.Row;
            writer.WriteStartObject();
            writer.WriteNumber(Names.SnapshotId, row.SnapshotId);
            writer.WriteString(Names.SnapshotAt, row.SnapshotAt);
            if (row.Inplay is { } inplay)
            {
                writer.WriteBoolean(Names.Inplay, inplay);
            }
            else
            {
                writer.WriteNull(Names.Inplay);
            }

            writer.WriteString(Names.Status, row.Status);
            writer.WriteBoolean(Names.HasMetrics, row.HasDerivedRow);
            foreach (var outcome in Outcomes)
            {
                new OutcomeMetrics(row.Metrics, outcome).WriteColumns(writer);
            }

            OutcomeMetrics.WriteNumber(writer, TotalVolume, row.Metrics[MetricColumns.TotalVolumeIndex]);
            if (value.IncludeImpedance)
            {
                WriteByOutcome(writer, Names.Impedance, row.Metrics, static o => o[OutcomeMetric.Impedance]);
                WriteByOutcome(writer, Names.ImpedanceNorm, row.Metrics, static o => o[OutcomeMetric.ImpedanceNorm]);
                WriteByOutcome(writer, Names.SizeImpedanceL1, row.Metrics, static o => o.SizeImpedanceL1);
            }

            if (value.IncludeInputs)
            {
                writer.WriteStartObject(Names.ImpedanceInputs);
                foreach (var outcome in Outcomes)
                {
                    var o = new OutcomeMetrics(row.Metrics, outcome);
                    writer.WriteStartObject(OutcomeKeys[(int)outcome]);
                    OutcomeMetrics.WriteNumber(writer, Names.BackStake, o[OutcomeMetric.BackStake]);
                    OutcomeMetrics.WriteNumber(writer, Names.BackOdds, o[OutcomeMetric.BackOdds]);
                    OutcomeMetrics.WriteNumber(writer, Names.BackProfit, o.BackProfit);
                    OutcomeMetrics.WriteNumber(writer, Names.LayStake, o[OutcomeMetric.LayStake]);
                    OutcomeMetrics.WriteNumber(writer, Names.LayOdds, o[OutcomeMetric.LayOdds]);
                    OutcomeMetrics.WriteNumber(writer, Names.LayLiability, o.LayLiability);
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        private static void WriteByOutcome(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<double?> metrics, Func<OutcomeMetrics, double?> value)
        {
            writer.WriteStartObject(name);
            foreach (var outcome in Outcomes)
            {
                OutcomeMetrics.WriteNumber(writer, OutcomeKeys[(int)outcome], value(new OutcomeMetrics(metrics, outcome)));
            }

            writer.WriteEndObject();
        }
    }

    /// <summary>The point's own field names and those of its <c>impedanceInputs</c> objects.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText SnapshotId = JsonEncodedText.Encode("snapshot_id");
        public static readonly JsonEncodedText SnapshotAt = JsonEncodedText.Encode("snapshot_at");
        public static readonly JsonEncodedText Inplay = JsonEncodedText.Encode("inplay");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText HasMetrics = JsonEncodedText.Encode("has_metrics");
        public static readonly JsonEncodedText Impedance = JsonEncodedText.Encode("impedance");
        public static readonly JsonEncodedText ImpedanceNorm = JsonEncodedText.Encode("impedanceNorm");
        public static readonly JsonEncodedText SizeImpedanceL1 = JsonEncodedText.Encode("sizeImpedanceL1");
        public static readonly JsonEncodedText ImpedanceInputs = JsonEncodedText.Encode("impedanceInputs");

        // One outcome's impedanceInputs object (METRICS.md section 4).
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
