using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Data.Export;

/// <summary>
/// One snapshot of an export with its market's names and its derived metrics. The reader fills one instance per row
/// and reuses it for the next, so writers copy what they keep.
/// </summary>
public sealed class SnapshotExportRow
{
    public string MarketId { get; set; } = "";
    public long SnapshotId { get; set; }
    public DateTimeOffset SnapshotAt { get; set; }
    public bool? Inplay { get; set; }
    public string? Status { get; set; }
    public double? TotalMatched { get; set; }
    public string? MarketName { get; set; }
    public string? EventName { get; set; }
    public string? CompetitionName { get; set; }
    public DateTimeOffset? MarketStartTime { get; set; }
    public string? HomeRunnerName { get; set; }
    public string? AwayRunnerName { get; set; }
    public string? DrawRunnerName { get; set; }

    /// <summary>Stored metric values in <see cref="MetricColumns.Names"/> order; all null without a derived row.</summary>
    public double?[] Metrics { get; } = new double?[MetricColumns.Count];

    /// <summary>
    /// The export's columns, in file order: the snapshot, its market, every metric column of
    /// <see cref="MetricColumns.Names"/>, then each outcome's size impedance L1 (<see cref="OutcomeFormulas.SizeImpedanceL1"/>,
    /// computed, not stored).
    /// </summary>
    public static IReadOnlyList<ExportColumn<SnapshotExportRow>> Columns { get; } = BuildColumns();

    private static ExportColumn<SnapshotExportRow>[] BuildColumns()
    {
        List<ExportColumn<SnapshotExportRow>> columns =
        [
            ExportColumn.Text<SnapshotExportRow>("market_id", r => r.MarketId),
            ExportColumn.Whole<SnapshotExportRow>("snapshot_id", r => r.SnapshotId),
            ExportColumn.Timestamp<SnapshotExportRow>("snapshot_at", r => r.SnapshotAt),
            ExportColumn.Boolean<SnapshotExportRow>("inplay", r => r.Inplay),
            ExportColumn.Text<SnapshotExportRow>("status", r => r.Status),
            ExportColumn.Real<SnapshotExportRow>("total_matched", r => r.TotalMatched),
            ExportColumn.Text<SnapshotExportRow>("market_name", r => r.MarketName),
            ExportColumn.Text<SnapshotExportRow>("event_name", r => r.EventName),
            ExportColumn.Text<SnapshotExportRow>("competition_name", r => r.CompetitionName),
            ExportColumn.Timestamp<SnapshotExportRow>("market_start_time", r => r.MarketStartTime),
            ExportColumn.Text<SnapshotExportRow>("home_runner_name", r => r.HomeRunnerName),
            ExportColumn.Text<SnapshotExportRow>("away_runner_name", r => r.AwayRunnerName),
            ExportColumn.Text<SnapshotExportRow>("draw_runner_name", r => r.DrawRunnerName),
        ];
        columns.AddRange(ExportColumn.Metrics<SnapshotExportRow>(r => r.Metrics));
        return [.. columns];
    }
}

/// <summary>One ladder level of one stored snapshot (<see cref="BookLadder.Levels"/>); reused like <see cref="SnapshotExportRow"/>.</summary>
public sealed class LadderExportRow
{
    public string MarketId { get; set; } = "";
    public long SnapshotId { get; set; }
    public DateTimeOffset SnapshotAt { get; set; }
    public LadderLevel Level { get; set; }

    /// <summary>The ladder export's columns, in file order.</summary>
    public static IReadOnlyList<ExportColumn<LadderExportRow>> Columns { get; } =
    [
        ExportColumn.Text<LadderExportRow>("market_id", r => r.MarketId),
        ExportColumn.Whole<LadderExportRow>("snapshot_id", r => r.SnapshotId),
        ExportColumn.Timestamp<LadderExportRow>("snapshot_at", r => r.SnapshotAt),
        ExportColumn.Whole<LadderExportRow>("selection_id", r => r.Level.SelectionId),
        ExportColumn.Text<LadderExportRow>("role", r => r.Level.Role is { } role ? MetricColumns.Prefix(role) : null),
        ExportColumn.Text<LadderExportRow>("side", r => BookLadder.Name(r.Level.Side)),
        ExportColumn.Whole<LadderExportRow>("level", r => r.Level.Level),
        ExportColumn.Real<LadderExportRow>("price", r => r.Level.Price),
        ExportColumn.Real<LadderExportRow>("size", r => r.Level.Size),
    ];
}
