using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using NetBet.Data;
using Npgsql;

namespace NetBet.Web.Http;

/// <summary>
/// Turns "the database is unreachable" (or reachable but not migrated, or a query cut off by the web's
/// <c>statement_timeout</c>) into a 503 ProblemDetails. Only those count: any other <see cref="PostgresException"/>
/// (a bad statement) is a bug and stays a 500.
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

    /// <summary>
    /// Whether the server cut the query off: the web's <c>statement_timeout</c> (57014), or on a hot standby a
    /// conflict with WAL replay (40001, "canceling statement due to conflict with recovery"). Retrying may succeed.
    /// </summary>
    public static bool IsCutOff(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.SerializationFailure };

    /// <summary>
    /// Whether the web's role may not read a table (42501): <c>netbet_reader</c> has not been granted
    /// <c>SELECT</c> yet, because the database predates the migration that creates it.
    /// </summary>
    public static bool IsAccessDenied(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege };

    /// <summary>Whether the database answers but lacks a table or column: it has not been migrated.</summary>
    public static bool IsNotMigrated(Exception exception) =>
        exception is SchemaNotReadyException || (exception is PostgresException e && SchemaNotReadyException.IsMissingObject(e));

    // Checked in order: the first whose test matches answers. Each is a 503: the request was fine, the database was not.
    private static readonly (Func<Exception, bool> Matches, string Title, string Detail)[] Answers =
    [
        (IsCutOff, "Query timed out",
            "The query ran longer than the web app's statement timeout and was stopped; narrow the request or try again."),
        (IsAccessDenied, "Database access denied",
            "The web app's read-only role may not read the NetBet tables; run 'netbet migrate', which grants netbet_reader SELECT."),
        (IsNotMigrated, "Database not migrated",
            "The NetBet database schema is missing tables or columns; run 'netbet migrate'."),
        (IsOutage, "Database unavailable",
            "The NetBet database cannot be reached; try again shortly."),
    ];

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        foreach (var (matches, title, detail) in Answers)
        {
            if (!matches(exception))
            {
                continue;
            }

            logger.LogWarning("{Title} while serving {Path}: {Reason}", title, httpContext.Request.Path, exception.Message);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new ProblemDetails { Status = StatusCodes.Status503ServiceUnavailable, Title = title, Detail = detail },
            });
        }

        return false;
    }
}
