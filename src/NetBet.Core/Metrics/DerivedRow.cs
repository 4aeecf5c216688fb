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

/// <summary>
/// Why a snapshot gets no derived values: the one vocabulary of skip reasons, shared by the engine, ingestion, the
/// backfill and the audit, each with one text (<see cref="SkipReasons.Describe"/>). The engine returns the first four
/// (METRICS.md section 6); the last two are decided by storage, which knows where the payload and roles come from.
/// </summary>
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
    /// <summary>Storage only: the stored snapshot has no raw payload to compute from.</summary>
    NoRawPayload,
    /// <summary>
    /// Storage only: <see cref="RolesIncomplete"/> for a stored snapshot, whose roles come from its market's
    /// metadata (the metadata does not map all of HOME, AWAY and DRAW).
    /// </summary>
    NoRolesForMarket,
}

/// <summary>Text forms of <see cref="SkipReason"/>, used in CLI output, logs and the audit.</summary>
public static class SkipReasons
{
    /// <summary>Every reason, in declaration order.</summary>
    public static IReadOnlyList<SkipReason> All { get; } = Enum.GetValues<SkipReason>();

    /// <summary>A short lower-case description such as <c>fewer than 3 runners</c>; one text per reason.</summary>
    /// <param name="reason">The reason.</param>
    public static string Describe(this SkipReason reason) => reason switch
    {
        SkipReason.NoMarketId => "no market id",
        SkipReason.FewerThanThreeRunners => "fewer than 3 runners",
        SkipReason.RolesIncomplete => "roles incomplete",
        SkipReason.RoleRunnerMissing => "role runner missing from the book",
        SkipReason.NoRawPayload => "no raw payload",
        SkipReason.NoRolesForMarket => "no roles for the market",
        _ => reason.ToString(),
    };

    /// <summary>
    /// The reason as storage reports it: <see cref="SkipReason.RolesIncomplete"/> becomes
    /// <see cref="SkipReason.NoRolesForMarket"/>, since a stored snapshot's roles are its market's; others are unchanged.
    /// </summary>
    /// <param name="reason">A reason the engine returned.</param>
    public static SkipReason ForStoredSnapshot(this SkipReason reason) =>
        reason == SkipReason.RolesIncomplete ? SkipReason.NoRolesForMarket : reason;
}

/// <summary>The engine's answer for one book: a row, or the reason no row is written.</summary>
/// <param name="Row">The derived row, or null when skipped.</param>
/// <param name="Skip">Why no row was written, or null when <paramref name="Row"/> is set.</param>
public readonly record struct MetricResult(DerivedRow? Row, SkipReason? Skip);
