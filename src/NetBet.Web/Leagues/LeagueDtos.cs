using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;
using NetBet.Web.Events;
using NetBet.Web.Http;

namespace NetBet.Web.Leagues;

/// <summary>The answer of <c>/api/leagues</c>: one page of competitions (Data's rows as they are) for the start-time window.</summary>
internal sealed record LeagueList(DateTimeOffset From, DateTimeOffset To, long Total, int Limit, int Offset, IReadOnlyList<LeagueRow> Leagues);

/// <summary>The answer of <c>/api/leagues/{league}/events</c>.</summary>
internal sealed record LeagueEventList(
    [property: JsonPropertyName("league")] string Key,
    string? CompetitionId,
    string CompetitionName,
    DateTimeOffset From,
    DateTimeOffset To,
    long Total,
    int Limit,
    int Offset,
    IReadOnlyList<LeagueEvent> Events);

/// <summary>
/// One market of a league: the fields of Data's <see cref="LeagueEventRow"/> as they are (names, start time, latest
/// snapshot state), then <c>total_volume</c> and one <see cref="OutcomeMetrics"/> object per outcome (<c>home</c>,
/// <c>away</c>, <c>draw</c>; null when the market has no derived row yet) in place of the raw metric array.
/// </summary>
[JsonConverter(typeof(Converter))]
internal sealed record LeagueEvent(LeagueEventRow Row)
{
    private sealed class Converter : JsonConverter<LeagueEvent>
    {
        private const string MetricsProperty = nameof(LeagueEventRow.LatestMetrics);

        private static readonly JsonEncodedText TotalVolume = JsonEncodedText.Encode(MetricColumns.Names[MetricColumns.TotalVolumeIndex]);

        public override LeagueEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("League events are only written.");

        public override void Write(Utf8JsonWriter writer, LeagueEvent value, JsonSerializerOptions options)
        {
            var row = value.Row;
            writer.WriteStartObject();
            foreach (var property in options.GetTypeInfo(typeof(LeagueEventRow)).Properties)
            {
                if (property is { Get: { } get } && !IsMetrics(property))
                {
                    writer.WritePropertyName(property.Name);
                    JsonSerializer.Serialize(writer, get(row), property.PropertyType, options);
                }
            }

            var metrics = row.LatestMetrics;
            OutcomeMetrics.WriteNumber(writer, TotalVolume, metrics?[MetricColumns.TotalVolumeIndex]);
            foreach (var outcome in MetricColumns.Outcomes)
            {
                writer.WritePropertyName(MetricColumns.Prefix(outcome));
                if (metrics is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    JsonSerializer.Serialize(writer, new OutcomeMetrics(metrics, outcome), options);
                }
            }

            writer.WriteEndObject();
        }

        private static bool IsMetrics(JsonPropertyInfo property) =>
            property.AttributeProvider is System.Reflection.MemberInfo { Name: MetricsProperty };
    }
}

/// <summary>
/// The five query parameters both league routes take, bound as text so that <see cref="QueryParameters"/> can name
/// each bad one, with the clock their default window is relative to.
/// </summary>
internal readonly record struct MarketListParameters(
    [FromQuery(Name = "from")] string? From,
    [FromQuery(Name = "to")] string? To,
    [FromQuery(Name = "include_in_play")] string? IncludeInPlay,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "offset")] string? Offset,
    [FromServices] TimeProvider Clock)
{
    private const int DefaultLimit = 100;

    /// <summary>
    /// The parsed values, or a ValidationProblem naming every bad parameter. The window is on market start time,
    /// default yesterday to seven days ahead (UTC).
    /// </summary>
    public bool TryParse(out MarketList list, [NotNullWhen(false)] out ValidationProblem? problem)
    {
        var query = new QueryParameters();
        list = new MarketList(
            query.MarketStartWindow(From, To, Clock),
            query.Bool("include_in_play", IncludeInPlay, true),
            query.Int("limit", Limit, DefaultLimit, 1, QueryParameters.MaxLimit),
            query.Int("offset", Offset, 0, 0, int.MaxValue));
        problem = query.IsValid ? null : query.Problem();
        return problem is null;
    }
}

/// <summary>The parsed <see cref="MarketListParameters"/>; both window bounds are set.</summary>
internal readonly record struct MarketList(TimeWindow Window, bool IncludeInPlay, int Limit, int Offset)
{
    public DateTimeOffset From => Window.From!.Value;

    public DateTimeOffset To => Window.To!.Value;
}
