using Microsoft.Extensions.Logging;
using NetBet.Data.Cluster;

namespace NetBet.Data;

/// <summary>Where the web app reads from, and what keeps it from writing there.</summary>
public static class ReadDatabase
{
    /// <summary>
    /// Environment variable holding the Npgsql connection string the web app reads with: a login in
    /// <see cref="ReaderRole.Name"/>, on the primary or on a hot standby.
    /// </summary>
    public const string ConnectionStringVariable = "NETBET_DB_READ";

    /// <summary>The warning to show when reads are read-only by session setting only, naming the remedy.</summary>
    public const string SessionSettingOnlyWarning =
        "NETBET_DB_READ is not set, so the web app reads through NETBET_DB, kept read-only only by the session setting " +
        "default_transaction_read_only (a session can override it); set NETBET_DB_READ to a login in the netbet_reader role.";

    /// <summary>
    /// <paramref name="read"/> (normally <c>$NETBET_DB_READ</c>) when set; else <paramref name="configured"/>
    /// (<c>$NETBET_DB</c>) when set, read-only by session setting only; else the private cluster as its read-only
    /// login <see cref="ReaderRole.WebLogin"/>, the cluster started and the login created on demand.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">A connection string does not parse, or the private cluster cannot start.</exception>
    public static async Task<ReadConnection> ResolveAsync(string? read, string? configured, ILogger? logger, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(read))
        {
            return new ReadConnection(NetBetDatabase.Validate(read, ConnectionStringVariable), ReadAccess.Configured);
        }

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new ReadConnection(NetBetDatabase.Validate(configured, NetBetDatabase.ConnectionStringVariable), ReadAccess.SessionSettingOnly);
        }

        var cluster = PostgresCluster.ForNetBetHome(home: null, logger);
        await cluster.StartAsync(cancellationToken);
        await cluster.EnsureDatabaseAsync(NetBetDatabase.DefaultDatabaseName, cancellationToken);
        var connectionString = await cluster.EnsureReaderConnectionStringAsync(NetBetDatabase.DefaultDatabaseName, cancellationToken);
        return new ReadConnection(connectionString, ReadAccess.ReaderRole);
    }
}

/// <summary>What keeps the web app's connection from writing.</summary>
public enum ReadAccess
{
    /// <summary>The private cluster's login in <see cref="ReaderRole.Name"/>, made by netbet.</summary>
    ReaderRole = 0,

    /// <summary><c>NETBET_DB_READ</c>, chosen by the operator (a reader login, or a hot standby).</summary>
    Configured,

    /// <summary><c>NETBET_DB</c>'s own role: only the session setting <c>default_transaction_read_only</c>.</summary>
    SessionSettingOnly,
}

/// <summary>A resolved read connection.</summary>
/// <param name="ConnectionString">The connection string; holds a password, never log it.</param>
/// <param name="Access">What keeps it read-only.</param>
public sealed record ReadConnection(string ConnectionString, ReadAccess Access);
