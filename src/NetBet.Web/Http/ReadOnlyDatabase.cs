using Npgsql;

namespace NetBet.Web.Http;

/// <summary>The web app's database access is read-only, enforced by the server rather than by convention.</summary>
internal static class ReadOnlyDatabase
{
    /// <summary>
    /// <paramref name="connectionString"/> with <c>-c default_transaction_read_only=on</c> appended to its startup
    /// options, so any write the app might attempt fails in PostgreSQL (SQLSTATE 25006).
    /// </summary>
    public static string Restrict(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
        return builder.ConnectionString;
    }
}
