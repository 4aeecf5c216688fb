using Microsoft.AspNetCore.Http.HttpResults;
using NetBet.Data;
using NetBet.Data.Queries;
using NetBet.Data.State;
using NetBet.Web.Http;
using Npgsql;

namespace NetBet.Web.Health;

/// <summary><c>/api/health</c>: is the database reachable, and how fresh is the data.</summary>
internal static class HealthApi
{
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/health").WithTags("Health");
        group.MapGet("/", GetHealthAsync).WithName("GetHealth");
        return group;
    }

    /// <summary>200 with the newest snapshot and poll tick times; 503 with <c>database: "unreachable"</c> on an outage.</summary>
    public static async Task<Results<Ok<HealthStatus>, JsonHttpResult<HealthStatus>>> GetHealthAsync(
        SnapshotQueries snapshots,
        ServiceState state,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        try
        {
            var newest = await snapshots.GetNewestSnapshotAtAsync(cancellationToken);
            var lastTick = await GetLastPollTickAsync(state, cancellationToken);
            return TypedResults.Ok(new HealthStatus("ok", "ok", newest, lastTick));
        }
        catch (NpgsqlException e) when (DatabaseOutage.IsNotMigrated(e))
        {
            return TypedResults.Json(
                new HealthStatus("not_migrated", "ok", null, null),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        catch (NpgsqlException e) when (DatabaseOutage.IsOutage(e))
        {
            loggers.CreateLogger(typeof(HealthApi)).LogWarning("Health check: database unreachable: {Reason}", e.Message);
            return TypedResults.Json(
                new HealthStatus("unavailable", "unreachable", null, null),
                statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static async Task<DateTimeOffset?> GetLastPollTickAsync(ServiceState state, CancellationToken cancellationToken)
    {
        try
        {
            return (await state.GetEntryAsync(ServiceState.PollerLastTickKey, cancellationToken))?.UpdatedAt;
        }
        catch (SchemaNotReadyException)
        {
            // service_state arrived with a later migration; without it the poller has simply never ticked here.
            return null;
        }
    }
}

/// <summary>The body of <c>/api/health</c>.</summary>
/// <param name="Status"><c>ok</c>; <c>unavailable</c> when the database cannot be reached; <c>not_migrated</c> when it lacks the tables.</param>
/// <param name="Database"><c>ok</c> or <c>unreachable</c>.</param>
/// <param name="NewestSnapshotAt">Capture time of the newest stored snapshot; null when none.</param>
/// <param name="LastPollTickAt">Last tick recorded by the poller; null when it never ran.</param>
internal sealed record HealthStatus(string Status, string Database, DateTimeOffset? NewestSnapshotAt, DateTimeOffset? LastPollTickAt);
