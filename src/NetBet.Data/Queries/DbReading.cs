using NetBet.Core.Metrics;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>Small helpers shared by the query classes: typed parameters and NULL-aware reads.</summary>
internal static class DbReading
{
    /// <summary>
    /// A typed parameter: the type is explicit so a null value still has one (PostgreSQL cannot infer the type of
    /// <c>@p is null</c> from an untyped NULL).
    /// </summary>
    public static NpgsqlParameter Parameter(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    public static NpgsqlParameter Timestamp(string name, DateTimeOffset? value) =>
        Parameter(name, NpgsqlDbType.TimestampTz, value?.ToUniversalTime());

    public static string? GetStringOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetInt64OrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static bool? GetBooleanOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetBoolean(ordinal);

    public static DateTimeOffset? GetTimestampOrNull(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset GetTimestamp(this NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>
    /// Ordinals of the 40 metric columns in <see cref="MetricColumns.Names"/> order, looked up by name so the
    /// SQL's select list order does not matter.
    /// </summary>
    public static int[] MetricOrdinals(this NpgsqlDataReader reader)
    {
        var ordinals = new int[MetricColumns.Count];
        for (var i = 0; i < ordinals.Length; i++)
        {
            ordinals[i] = reader.GetOrdinal(MetricColumns.Names[i]);
        }

        return ordinals;
    }

    public static double?[] GetMetrics(this NpgsqlDataReader reader, int[] ordinals)
    {
        var values = new double?[ordinals.Length];
        for (var i = 0; i < ordinals.Length; i++)
        {
            values[i] = reader.IsDBNull(ordinals[i]) ? null : reader.GetDouble(ordinals[i]);
        }

        return values;
    }
}
