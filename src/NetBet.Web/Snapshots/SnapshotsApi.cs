using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Core.Books;
using NetBet.Data.Queries;
using NetBet.Web.Events;
using NetBet.Web.Http;

namespace NetBet.Web.Snapshots;

/// <summary><c>/api/snapshots/{snapshot_id}</c>: one stored snapshot, raw or as its ladder, as the UI fetches it when a row is clicked.</summary>
internal static class SnapshotsApi
{
    public static RouteGroupBuilder MapSnapshots(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/snapshots/{snapshot_id}").WithTags("Snapshots");
        group.MapGet("/raw", GetRawAsync).WithName("GetSnapshotRaw");
        group.MapGet("/ladder", GetLadderAsync).WithName("GetSnapshotLadder");
        return group;
    }

    // The id is bound as text so "abc" is a 400 naming snapshot_id rather than a route mismatch (404).
    public static async Task<Results<Ok<RawSnapshot>, NotFound, ValidationProblem>> GetRawAsync(
        [FromRoute(Name = "snapshot_id")] string snapshotId,
        SnapshotQueries snapshots,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters();
        var id = query.Id("snapshot_id", snapshotId);
        if (!query.IsValid)
        {
            return query.Problem();
        }

        return await snapshots.GetRawAsync(id, cancellationToken) is { } row
            ? TypedResults.Ok(RawSnapshot.From(row))
            : TypedResults.NotFound();
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
