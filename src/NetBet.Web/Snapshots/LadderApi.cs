using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;
using NetBet.Web.Http;

namespace NetBet.Web.Snapshots;

/// <summary><c>/api/snapshots/{snapshot_id}/ladder</c>: one snapshot's full ladder per runner, computed from its raw payload.</summary>
internal static class LadderApi
{
    public static RouteGroupBuilder MapSnapshotLadder(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/snapshots/{snapshot_id}").WithTags("Snapshots");
        group.MapGet("/ladder", GetLadderAsync).WithName("GetSnapshotLadder");
        return group;
    }

    /// <summary>
    /// Every runner's prices (highest first) with back size, lay size and traded volume, best prices marked; home,
    /// away, draw first. 404 for an unknown snapshot; 422 when the stored payload is missing or cannot be read.
    /// </summary>
    public static async Task<Results<Ok<SnapshotLadder>, NotFound, ValidationProblem, ProblemHttpResult>> GetLadderAsync(
        [FromRoute(Name = "snapshot_id")] string snapshotId,
        LadderQueries ladders,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters();
        var id = query.Id("snapshot_id", snapshotId);
        if (!query.IsValid)
        {
            return query.Problem();
        }

        if (await ladders.GetAsync(id, cancellationToken) is not { } row)
        {
            return TypedResults.NotFound();
        }

        if (row.RawPayloadJson is not { } json)
        {
            return TypedResults.Problem($"Snapshot {id} has no raw payload.", statusCode: StatusCodes.Status422UnprocessableEntity, title: "No ladder");
        }

        MarketBook book;
        try
        {
            book = MarketBookReader.Read(Encoding.UTF8.GetBytes(json), includeTradedVolume: true);
        }
        catch (MarketBookFormatException e)
        {
            return TypedResults.Problem($"The raw payload of snapshot {id} cannot be read: {e.Message}.", statusCode: StatusCodes.Status422UnprocessableEntity, title: "No ladder");
        }

        return TypedResults.Ok(SnapshotLadder.From(row, book));
    }
}

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
