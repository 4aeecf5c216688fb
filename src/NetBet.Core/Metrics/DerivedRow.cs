using NetBet.Core.Books;

namespace NetBet.Core.Metrics;

/// <summary>
/// One <c>market_derived_metrics</c> row as the engine computes it. Values are indexed like
/// <see cref="MetricColumns.Names"/>; null means the engine has no value for that column (a role runner absent
/// from the impedance runners).
/// </summary>
public sealed class DerivedRow
{
    private readonly double?[] _values;

    internal DerivedRow(string marketId, double?[] values)
    {
        MarketId = marketId;
        _values = values;
    }

    /// <summary>The book's market id.</summary>
    public string MarketId { get; }

    /// <summary>Metric values in <see cref="MetricColumns.Names"/> order.</summary>
    public IReadOnlyList<double?> Values => _values;

    /// <summary>The value of column <paramref name="index"/> of <see cref="MetricColumns.Names"/>.</summary>
    /// <param name="index">Column index.</param>
    public double? this[int index] => _values[index];

    /// <summary>The value of the named metric column.</summary>
    /// <param name="column">A name from <see cref="MetricColumns.Names"/>.</param>
    /// <exception cref="ArgumentException">The name is not a metric column.</exception>
    public double? this[string column]
    {
        get
        {
            var index = MetricColumns.IndexOf(column);
            return index < 0 ? throw new ArgumentException($"'{column}' is not a metric column.", nameof(column)) : _values[index];
        }
    }

    /// <summary>The value of one outcome metric.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <param name="metric">The metric.</param>
    public double? Get(Outcome outcome, OutcomeMetric metric) => _values[MetricColumns.IndexOf(outcome, metric)];

    /// <summary>Market total volume (<c>total_volume</c>).</summary>
    public double? TotalVolume => _values[MetricColumns.TotalVolumeIndex];
}

/// <summary>Why the engine wrote no row for a book (METRICS.md section 6).</summary>
public enum SkipReason
{
    /// <summary>The book has no <c>marketId</c>.</summary>
    NoMarketId = 1,
    /// <summary>The book lists fewer than 3 runner entries.</summary>
    FewerThanThreeRunners,
    /// <summary>HOME, AWAY and DRAW are not all mapped for the market.</summary>
    RolesIncomplete,
    /// <summary>A role's selection id is not among the book's runners.</summary>
    RoleRunnerMissing,
}

/// <summary>Text forms of <see cref="SkipReason"/>, used in CLI output, logs and the audit.</summary>
public static class SkipReasons
{
    /// <summary>A short lower-case description such as <c>fewer than 3 runners</c>.</summary>
    /// <param name="reason">The reason.</param>
    public static string Describe(this SkipReason reason) => reason switch
    {
        SkipReason.NoMarketId => "no market id",
        SkipReason.FewerThanThreeRunners => "fewer than 3 runners",
        SkipReason.RolesIncomplete => "roles incomplete",
        SkipReason.RoleRunnerMissing => "role runner missing from the book",
        _ => reason.ToString(),
    };
}

/// <summary>The engine's answer for one book: a row, or the reason no row is written.</summary>
/// <param name="Row">The derived row, or null when skipped.</param>
/// <param name="Skip">Why no row was written, or null when <paramref name="Row"/> is set.</param>
public readonly record struct MetricResult(DerivedRow? Row, SkipReason? Skip);
