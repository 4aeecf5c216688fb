namespace NetBet.Data.Audit;

/// <summary>
/// What <c>netbet audit</c> reports: A) inventory, B) raw payload availability, C) NULLs per metric column,
/// D) eligibility tiers, E) what a backfill of every metric column would do now.
/// </summary>
public sealed record AuditReport
{
    /// <summary>The audit covered snapshots taken at or after this time; null for no lower bound.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>The audit covered snapshots taken before this time; null for no upper bound.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Months <c>netbet archive</c> wrote to files and dropped, oldest first; not counted anywhere else in the report.</summary>
    public IReadOnlyList<Archive.ArchivedMonthRecord> ArchivedMonths { get; init; } = [];

    /// <summary>Rows of <c>market_book_snapshots</c>.</summary>
    public required long TotalSnapshots { get; init; }

    /// <summary>Earliest <c>snapshot_at</c>; null when there are no snapshots.</summary>
    public DateTimeOffset? Oldest { get; init; }

    /// <summary>Latest <c>snapshot_at</c>; null when there are no snapshots.</summary>
    public DateTimeOffset? Newest { get; init; }

    /// <summary>Distinct markets among the snapshots.</summary>
    public required long Markets { get; init; }

    /// <summary>Snapshots per <c>source</c>, largest first.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> Sources { get; init; }

    /// <summary>Snapshots with a raw payload.</summary>
    public required long RawPayloadRows { get; init; }

    /// <summary>Snapshots whose payload has at least one runner with a ladder level.</summary>
    public required long LadderRows { get; init; }

    /// <summary>Snapshots whose market lacks one of the HOME/AWAY/DRAW selection ids.</summary>
    public required long RowsWithoutRoles { get; init; }

    /// <summary>Rows of <c>market_derived_metrics</c> (the rows NULL percentages are of).</summary>
    public required long DerivedRows { get; init; }

    /// <summary>Every metric column that exists in the schema, in canonical order.</summary>
    public required IReadOnlyList<AuditColumn> Columns { get; init; }

    /// <summary>Metric columns not in the schema yet (migrations pending).</summary>
    public required IReadOnlyList<string> MissingColumns { get; init; }

    /// <summary>Derived rows a backfill of all columns would update now.</summary>
    public required long WouldUpdate { get; init; }

    /// <summary>Derived rows with a NULL it would skip, see <see cref="SkipReasons"/>.</summary>
    public required long WouldSkip { get; init; }

    /// <summary>Derived rows with a NULL whose payload it could not read.</summary>
    public required long WouldError { get; init; }

    /// <summary>Would-skip rows by reason, such as <c>no roles for the market</c>.</summary>
    public required IReadOnlyDictionary<string, long> SkipReasons { get; init; }
}

/// <summary>One metric column's NULLs and eligibility.</summary>
/// <param name="Name">Column name.</param>
/// <param name="NullCount">Rows where it is NULL.</param>
/// <param name="NullPct">NULL share of the derived rows, percent, 2 decimals.</param>
/// <param name="Recomputable">NULL values the engine would compute from raw payload and roles.</param>
/// <param name="Tier"><c>-</c> nothing NULL, <c>A</c> every NULL recomputable, <c>B</c> some, <c>C</c> none.</param>
public sealed record AuditColumn(string Name, long NullCount, double NullPct, long Recomputable, string Tier)
{
    /// <summary>The tier for a column with <paramref name="nullCount"/> NULLs of which <paramref name="recomputable"/> can be filled.</summary>
    public static string TierOf(long nullCount, long recomputable) =>
        nullCount == 0 ? "-" : recomputable == nullCount ? "A" : recomputable == 0 ? "C" : "B";
}
