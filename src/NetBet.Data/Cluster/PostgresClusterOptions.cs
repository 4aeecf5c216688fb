namespace NetBet.Data.Cluster;

/// <summary>How a <see cref="PostgresCluster"/> is created and started.</summary>
public sealed record PostgresClusterOptions
{
    /// <summary>
    /// Keep PostgreSQL's durability settings (<c>fsync</c>, <c>synchronous_commit</c>, <c>full_page_writes</c>).
    /// True for the user's cluster; test clusters turn it off because they are thrown away.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>Name of the superuser initdb creates.</summary>
    public string Superuser { get; init; } = "netbet";

    /// <summary>How long to wait for the server to start or stop.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Options for throwaway test clusters: not durable.</summary>
    public static PostgresClusterOptions ForTests { get; } = new() { Durable = false };
}

/// <summary>Whether a private cluster exists and runs.</summary>
public enum PostgresClusterState
{
    /// <summary>No cluster in the directory yet (<c>netbet db start</c> or any command creates it).</summary>
    NotInitialized = 0,

    /// <summary>Initialised but no server is running.</summary>
    Stopped,

    /// <summary>A server process is running on <see cref="PostgresClusterStatus.Port"/>.</summary>
    Running,
}

/// <summary>What <see cref="PostgresCluster.GetStatusAsync"/> found.</summary>
/// <param name="State">Not initialised, stopped or running.</param>
/// <param name="DataDirectory">The cluster's data directory.</param>
/// <param name="Port">The TCP port on 127.0.0.1 (the configured one when stopped).</param>
/// <param name="ProcessId">The postmaster's process id when running.</param>
/// <param name="Version">PostgreSQL major version of the data directory.</param>
public sealed record PostgresClusterStatus(
    PostgresClusterState State,
    string DataDirectory,
    int? Port,
    int? ProcessId,
    string? Version)
{
    /// <summary>One line for <c>netbet db status</c>.</summary>
    public string Describe() => State switch
    {
        PostgresClusterState.Running => $"running: PostgreSQL {Version} on 127.0.0.1:{Port}, pid {ProcessId}, data {DataDirectory}",
        PostgresClusterState.Stopped => $"stopped: PostgreSQL {Version}, data {DataDirectory}",
        _ => $"not initialised: no cluster in {DataDirectory} yet",
    };
}
