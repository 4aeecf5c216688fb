using System.Text.Json;

namespace NetBet.Core.Metrics;

/// <summary>Writes a <see cref="DerivedRow"/> as a JSON object keyed by <c>market_derived_metrics</c> column name.</summary>
public static class DerivedRowJson
{
    /// <summary>
    /// Writes every metric column, then <c>depth_limit</c>, <c>calculation_version</c> and <c>market_id</c>.
    /// Doubles are written in shortest round-trip form; missing values as null.
    /// </summary>
    /// <param name="writer">Destination.</param>
    /// <param name="row">The row.</param>
    public static void Write(Utf8JsonWriter writer, DerivedRow row)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(row);
        writer.WriteStartObject();
        var names = MetricColumns.Names;
        for (var i = 0; i < names.Count; i++)
        {
            if (row[i] is { } value)
            {
                writer.WriteNumber(names[i], value);
            }
            else
            {
                writer.WriteNull(names[i]);
            }
        }

        writer.WriteNumber("depth_limit", MetricColumns.DepthLimit);
        writer.WriteString("calculation_version", MetricColumns.CalculationVersion);
        writer.WriteString("market_id", row.MarketId);
        writer.WriteEndObject();
    }
}
