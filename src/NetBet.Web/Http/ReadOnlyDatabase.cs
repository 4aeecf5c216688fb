using System.Globalization;
using Npgsql;

namespace NetBet.Web.Http;

/// <summary>The web app's database access is read-only, enforced by the server rather than by convention.</summary>
internal static class ReadOnlyDatabase
{
    /// <summary>
    /// <paramref name="connectionString"/> with <c>-c default_transaction_read_only=on</c> appended to its startup
    /// options, so any write the app might attempt fails in PostgreSQL (SQLSTATE 25006). A session can still say
    /// <c>SET TRANSACTION READ WRITE</c>: only a role without write privileges (<c>netbet_reader</c>) closes that.
    /// </summary>
    public static string Restrict(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
        return builder.ConnectionString;
    }

    /// <summary>
    /// The connection string the web app uses: <see cref="Restrict"/>ed, with the statement timeout of
    /// <paramref name="limits"/> set by the server (so a timeout is SQLSTATE 57014, answered 503) and the pool
    /// bounded. The client-side command timeout is a few seconds longer, so the server's timeout fires first.
    /// </summary>
    public static string ForWeb(string connectionString, WebLimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var timeoutMs = (long)Math.Ceiling(limits.StatementTimeoutSeconds * 1000);
        var builder = new NpgsqlConnectionStringBuilder(Restrict(connectionString));
        builder.Options = string.Create(CultureInfo.InvariantCulture, $"{builder.Options} -c statement_timeout={timeoutMs}");
        builder.MaxPoolSize = Math.Min(builder.MaxPoolSize, limits.MaxPoolSize);
        builder.MinPoolSize = Math.Min(builder.MinPoolSize, builder.MaxPoolSize);
        builder.CommandTimeout = (int)Math.Ceiling(limits.StatementTimeoutSeconds) + 5;
        return builder.ConnectionString;
    }
}
