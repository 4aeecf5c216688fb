using System.Text.Json.Serialization;

namespace NetBet.Web.Events;

/// <summary>
/// Source-generated metadata for the timeseries answer, first in the app's resolver chain: the list is written
/// without reflection, each point by its own converter straight onto the response's <c>Utf8JsonWriter</c>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<TimeseriesPoint>))]
internal sealed partial class EventsJsonContext : JsonSerializerContext;
