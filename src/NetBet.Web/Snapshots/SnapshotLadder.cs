using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;

namespace NetBet.Web.Snapshots;

/// <summary>The response of <c>/api/snapshots/{snapshot_id}/ladder</c>; the neighbour ids let a client step through the market's history.</summary>
internal sealed record SnapshotLadder(
    long SnapshotId,
    string MarketId,
    DateTimeOffset SnapshotAt,
    bool? Inplay,
    string? Status,
    double? TotalMatched,
    long? PreviousSnapshotId,
    long? NextSnapshotId,
    IReadOnlyList<RunnerLadderView> Runners)
{
    public static SnapshotLadder From(LadderSnapshotRow row, MarketBook book)
    {
        RunnerRoles? roles = row is { HomeSelectionId: { } h, AwaySelectionId: { } a, DrawSelectionId: { } d } ? new RunnerRoles(h, a, d) : null;
        var runners = BookLadder.ByRunner(book, roles).Select(r => new RunnerLadderView(
            r.SelectionId,
            r.Role is { } role ? MetricColumns.Prefix(role) : null,
            r.Role switch
            {
                Outcome.Home => row.HomeRunnerName,
                Outcome.Away => row.AwayRunnerName,
                Outcome.Draw => row.DrawRunnerName,
                _ => null,
            },
            r.Status,
            r.TotalMatched,
            r.BestBack,
            r.BestLay,
            [.. r.Prices.Select(p => new LadderPriceView(p.Price, p.BackSize, p.LaySize, p.TradedVolume, p.IsBestBack, p.IsBestLay))]));
        return new SnapshotLadder(
            row.SnapshotId, row.MarketId, row.SnapshotAt, row.Inplay, row.Status, row.TotalMatched, row.PreviousSnapshotId, row.NextSnapshotId, [.. runners]);
    }
}

/// <summary>One runner's ladder; <c>best_back</c>/<c>best_lay</c> are null for an empty side (no price, never 0).</summary>
internal sealed record RunnerLadderView(
    long? SelectionId,
    string? Role,
    string? Name,
    string? Status,
    double? TotalMatched,
    double? BestBack,
    double? BestLay,
    IReadOnlyList<LadderPriceView> Prices);

/// <summary>One price row: null sizes mean nothing listed at that price.</summary>
internal sealed record LadderPriceView(double Price, double? BackSize, double? LaySize, double? TradedVolume, bool IsBestBack, bool IsBestLay);
