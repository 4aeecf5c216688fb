using System.Text.RegularExpressions;
using NetBet.Core.Metrics;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Data.Backfill;

/// <summary>A <c>--columns</c> name that is not a metric column, or not in the schema yet.</summary>
public sealed class UnknownColumnException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnknownColumnException()
    {
        ColumnName = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    public UnknownColumnException(string message)
        : base(message)
    {
        ColumnName = "";
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public UnknownColumnException(string message, Exception innerException)
        : base(message, innerException)
    {
        ColumnName = "";
    }

    /// <summary>Creates the exception for one column.</summary>
    /// <param name="columnName">The offending name.</param>
    /// <param name="message">What was wrong with it.</param>
    public UnknownColumnException(string columnName, string message)
        : base(message)
    {
        ColumnName = columnName;
    }

    /// <summary>The offending name.</summary>
    public string ColumnName { get; }
}

/// <summary>The metric columns of <c>market_derived_metrics</c> as the live schema has them.</summary>
public static partial class MetricSchema
{
    // The catalog, not information_schema.columns: the view costs tens of milliseconds to plan and run, paid by every
    // short backfill before its first batch.
    private const string ColumnsSql = """
        select a.attname::text
        from pg_attribute a
        where a.attrelid = to_regclass(quote_ident(current_schema()) || '.market_derived_metrics') and a.attnum > 0 and not a.attisdropped
        """;

    /// <summary>
    /// The metric columns that migrations after the base schema add (the VWAP inputs of 2026-02-13 and the L1 sizes
    /// of 2026-02-14: 18 columns), in canonical order. Read from the embedded migration scripts, so the history lives
    /// in one place, the migrations; a database at the base schema has every other metric column.
    /// </summary>
    public static IReadOnlyList<string> AddedAfterBaseSchema { get; } = ColumnsAddedAfterBaseSchema();

    /// <summary>Every <see cref="MetricColumns.Names"/> column that exists in the schema, in canonical order.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public static async Task<IReadOnlyList<string>> ExistingMetricColumnsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand(ColumnsSql, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }

        return [.. MetricColumns.Names.Where(present.Contains)];
    }

    /// <summary>
    /// The chosen columns in canonical order: every existing metric column when <paramref name="requested"/> is
    /// empty, else the requested ones after checking each is a metric column that exists.
    /// </summary>
    /// <param name="requested">Column names from <c>--columns</c>; null or empty for all.</param>
    /// <param name="existing">What <see cref="ExistingMetricColumnsAsync"/> returned.</param>
    /// <exception cref="UnknownColumnException">A requested name is not a metric column or is not migrated yet.</exception>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string>? requested, IReadOnlyList<string> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        if (requested is null || requested.Count == 0)
        {
            return existing;
        }

        var chosen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in requested)
        {
            var name = raw.Trim();
            if (MetricColumns.IndexOf(name) < 0)
            {
                throw new UnknownColumnException(name, $"unknown column '{name}': not a metric column of market_derived_metrics");
            }

            if (!existing.Contains(name))
            {
                throw new UnknownColumnException(name, $"unknown column '{name}': market_derived_metrics has no such column yet (run netbet migrate)");
            }

            chosen.Add(name);
        }

        return [.. existing.Where(chosen.Contains)];
    }

    private static string[] ColumnsAddedAfterBaseSchema()
    {
        var added = MigrationCatalog.All.Skip(1)
            .SelectMany(m => AddColumn().Matches(m.Sql).Select(match => match.Groups["name"].Value))
            .ToHashSet(StringComparer.Ordinal);
        return [.. MetricColumns.Names.Where(added.Contains)];
    }

    [GeneratedRegex(@"add\s+column\s+(?:if\s+not\s+exists\s+)?(?<name>[a-z0-9_]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AddColumn();
}
