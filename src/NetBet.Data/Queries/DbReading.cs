using System.Data;
using System.Reflection;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Queries;

/// <summary>
/// What the query classes share: typed parameters, and the Dapper mapping of their row types (snake_case columns to
/// PascalCase properties, the metric array to <c>IReadOnlyList&lt;double?&gt;</c>).
/// </summary>
internal static class DbReading
{
    // Dapper's maps are process-wide; these are set once, for this library's own row types only, so no other Dapper
    // caller (tests, other libraries) changes behaviour. A static constructor runs before any member is used.
    static DbReading()
    {
        foreach (var type in new[] { typeof(LeagueRow), typeof(LeagueEventRow), typeof(MarketDetailRow), typeof(RawSnapshotRow), typeof(NewestSnapshotRow), typeof(LeagueNames), typeof(LadderSnapshotRow) })
        {
            SqlMapper.SetTypeMap(type, new CustomPropertyTypeMap(type, SnakeCaseProperty));
        }

        SqlMapper.AddTypeHandler(new MetricArrayHandler());
    }

    /// <summary>A Dapper command over explicitly typed parameters, cancelled by <paramref name="cancellationToken"/>.</summary>
    public static CommandDefinition Command(string sql, NpgsqlParameter[] parameters, CancellationToken cancellationToken) =>
        new(sql, new TypedParameters(parameters), cancellationToken: cancellationToken);

    /// <summary>
    /// A typed parameter: the type is explicit so a null value still has one (PostgreSQL cannot infer the type of
    /// <c>@p is null</c> from an untyped NULL), and so a <see cref="TimeSpan"/> is an interval, not Dapper's time.
    /// </summary>
    public static NpgsqlParameter Parameter(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    public static NpgsqlParameter Timestamp(string name, DateTimeOffset? value) =>
        Parameter(name, NpgsqlDbType.TimestampTz, value?.ToUniversalTime());

    // Dapper's delegate is annotated non-null, but a null answer is what leaves a column (such as "total") unmapped.
    private static PropertyInfo SnakeCaseProperty(Type type, string column) =>
        type.GetProperty(column.Replace("_", "", StringComparison.Ordinal), BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)!;

    private sealed class TypedParameters(NpgsqlParameter[] parameters) : SqlMapper.IDynamicParameters
    {
        public void AddParameters(IDbCommand command, SqlMapper.Identity identity) => ((NpgsqlCommand)command).Parameters.AddRange(parameters);
    }

    /// <summary>
    /// Reads <see cref="MetricSql.Array"/>: NaN elements back to null. A NULL array (no derived row) never reaches
    /// here; Dapper leaves the property null.
    /// </summary>
    private sealed class MetricArrayHandler : SqlMapper.TypeHandler<IReadOnlyList<double?>>
    {
        public override IReadOnlyList<double?> Parse(object value)
        {
            var stored = (double[])value;
            var values = new double?[stored.Length];
            for (var i = 0; i < stored.Length; i++)
            {
                values[i] = double.IsNaN(stored[i]) ? null : stored[i];
            }

            return values;
        }

        public override void SetValue(IDbDataParameter parameter, IReadOnlyList<double?>? value) =>
            throw new NotSupportedException("Metric arrays are only read.");
    }
}
