using NetBet.Core.Metrics;

namespace NetBet.Data.Export;

/// <summary>The type of an export column, as Parquet stores it (CSV and JSON Lines write its text form).</summary>
public enum ExportType
{
    /// <summary>UTF-8 string.</summary>
    Text,
    /// <summary>Instant in UTC, microsecond precision (Parquet TIMESTAMP(MICROS, isAdjustedToUTC=true)).</summary>
    Timestamp,
    /// <summary>64-bit IEEE float (Parquet DOUBLE).</summary>
    Real,
    /// <summary>64-bit signed integer (Parquet INT64).</summary>
    Whole,
    /// <summary>Boolean.</summary>
    Boolean,
}

/// <summary>
/// One column of an export: its name, its type and how to read it from a row. Only the getter of <see cref="Type"/>
/// is set; every value may be null (an empty CSV field, a JSON or Parquet null). Made by <see cref="ExportColumn"/>.
/// </summary>
/// <typeparam name="TRow">The row type.</typeparam>
public sealed class ExportColumn<TRow>
{
    internal ExportColumn(string name, ExportType type)
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }

    public ExportType Type { get; }

    public Func<TRow, string?> GetText { get; internal init; } = NotThisType<string>;

    public Func<TRow, DateTimeOffset?> GetTimestamp { get; internal init; } = NotThisType<DateTimeOffset?>;

    public Func<TRow, double?> GetReal { get; internal init; } = NotThisType<double?>;

    public Func<TRow, long?> GetWhole { get; internal init; } = NotThisType<long?>;

    public Func<TRow, bool?> GetBoolean { get; internal init; } = NotThisType<bool?>;

    private static T NotThisType<T>(TRow row) => throw new InvalidOperationException("The column has another type.");
}

/// <summary>Makes <see cref="ExportColumn{TRow}"/>s.</summary>
public static class ExportColumn
{
    public static ExportColumn<TRow> Text<TRow>(string name, Func<TRow, string?> get) => new(name, ExportType.Text) { GetText = get };

    public static ExportColumn<TRow> Timestamp<TRow>(string name, Func<TRow, DateTimeOffset?> get) => new(name, ExportType.Timestamp) { GetTimestamp = get };

    public static ExportColumn<TRow> Real<TRow>(string name, Func<TRow, double?> get) => new(name, ExportType.Real) { GetReal = get };

    public static ExportColumn<TRow> Whole<TRow>(string name, Func<TRow, long?> get) => new(name, ExportType.Whole) { GetWhole = get };

    public static ExportColumn<TRow> Boolean<TRow>(string name, Func<TRow, bool?> get) => new(name, ExportType.Boolean) { GetBoolean = get };

    /// <summary>
    /// The metric columns of <see cref="MetricColumns.Names"/> (those <paramref name="include"/> keeps, by index),
    /// then each outcome's <c>*_size_impedance_l1</c> (<see cref="OutcomeFormulas.SizeImpedanceL1"/>, computed from
    /// the stored values, null when an input is null).
    /// </summary>
    /// <param name="metrics">A row's metric values in <see cref="MetricColumns.Names"/> order.</param>
    /// <param name="include">Which metric indexes to write; null for all.</param>
    public static IEnumerable<ExportColumn<TRow>> Metrics<TRow>(Func<TRow, IReadOnlyList<double?>> metrics, Func<int, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        for (var i = 0; i < MetricColumns.Count; i++)
        {
            var index = i;
            if (include is null || include(index))
            {
                yield return Real<TRow>(MetricColumns.Names[index], r => metrics(r)[index]);
            }
        }

        foreach (var outcome in MetricColumns.Outcomes)
        {
            yield return Real<TRow>($"{MetricColumns.Prefix(outcome)}_size_impedance_l1", r => OutcomeFormulas.SizeImpedanceL1(metrics(r), outcome));
        }
    }
}
