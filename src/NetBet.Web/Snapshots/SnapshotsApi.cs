using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data.Queries;
using NetBet.Web.Events;
using NetBet.Web.Http;

namespace NetBet.Web.Snapshots;

/// <summary><c>/api/snapshots/{snapshot_id}</c>: one stored snapshot, as the UI fetches it when a row is clicked.</summary>
internal static class SnapshotsApi
{
    public static RouteGroupBuilder MapSnapshots(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/snapshots/{snapshot_id}").WithTags("Snapshots");
        group.MapGet("/raw", GetRawAsync).WithName("GetSnapshotRaw");
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
}
