using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace NetBet.Web.Http;

/// <summary>
/// Turns "the database is unreachable" into a 503 ProblemDetails. Only connection-level failures count: any other
/// <see cref="PostgresException"/> (a bad statement, a missing table) is a bug and stays a 500.
/// </summary>
internal sealed class DatabaseOutage(IProblemDetailsService problemDetails, ILogger<DatabaseOutage> logger) : IExceptionHandler
{
    /// <summary>
    /// Whether <paramref name="exception"/> means the server could not be reached or refused us: a network or timeout
    /// failure (an <see cref="NpgsqlException"/> that is not a server error), or a server error of class 08
    /// (connection), 53300 (too many connections), 57P0x (shutting down, starting up), 3D000 (no such database)
    /// or 28xxx (authentication).
    /// </summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal)
            || e.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || e.SqlState.StartsWith("28", StringComparison.Ordinal)
            || e.SqlState is "53300" or "3D000",
        NpgsqlException => true,
        _ => false,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception))
        {
            return false;
        }

        logger.LogWarning("Database unreachable while serving {Path}: {Reason}", httpContext.Request.Path, exception.Message);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Database unavailable",
                Detail = "The NetBet database cannot be reached; try again shortly.",
            },
        });
    }
}
