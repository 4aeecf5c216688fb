using Microsoft.Extensions.Logging;
using NetBet.Data.Cluster;
using Npgsql;

namespace NetBet.Data;

/// <summary>Where every netbet command and the web app find their database.</summary>
public static class NetBetDatabase
{
    /// <summary>Environment variable holding an Npgsql connection string; when set it selects the database.</summary>
    public const string ConnectionStringVariable = "NETBET_DB";

    /// <summary>The database created in the private cluster.</summary>
    public const string DefaultDatabaseName = "netbet";

    /// <summary>
    /// <paramref name="configured"/> (normally <c>$NETBET_DB</c>) when set; otherwise the private cluster in
    /// <c>$NETBET_HOME/pg</c>, created and started on demand, with database <c>netbet</c> created if missing.
    /// Opens no connection to a configured database: callers see connection failures on first use.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The private cluster cannot be created or started.</exception>
    public static Task<string> ResolveConnectionStringAsync(string? configured, ILogger? logger, CancellationToken cancellationToken) =>
        ResolveConnectionStringAsync(configured, home: null, logger, cancellationToken);

    /// <summary>As the public overload, with the private cluster under <paramref name="home"/> instead of <c>$NETBET_HOME</c>.</summary>
    internal static async Task<string> ResolveConnectionStringAsync(string? configured, string? home, ILogger? logger, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Validate(configured, ConnectionStringVariable);
        }

        var cluster = PostgresCluster.ForNetBetHome(home, logger);
        await cluster.StartAsync(cancellationToken);
        await cluster.EnsureDatabaseAsync(DefaultDatabaseName, cancellationToken);
        return cluster.GetConnectionString(DefaultDatabaseName);
    }

    /// <summary><paramref name="value"/> when it parses as a connection string; else an error naming <paramref name="variable"/>.</summary>
    internal static string Validate(string value, string variable)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException e)
        {
            throw new DatabaseUnavailableException($"{variable} is not a valid Npgsql connection string: {e.Message}", e);
        }

        return value;
    }

    /// <summary><see cref="ResolveConnectionStringAsync(string?, ILogger?, CancellationToken)"/> reading <c>$NETBET_DB</c>.</summary>
    public static Task<string> ResolveConnectionStringAsync(ILogger? logger, CancellationToken cancellationToken) =>
        ResolveConnectionStringAsync(Environment.GetEnvironmentVariable(ConnectionStringVariable), logger, cancellationToken);

    /// <summary>Host, port, database and user of a connection string, for messages: never the password.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Username ?? "(default user)"}@{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? "(default database)"}";
        }
        catch (ArgumentException)
        {
            return "(invalid connection string)";
        }
    }
}
