using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace NetBet.Data.Cluster;

/// <summary>Streaming hot standbys of a private cluster, made the way an operator would: <c>pg_basebackup -R</c>.</summary>
public sealed partial class PostgresCluster
{
    /// <summary>
    /// Copies this running cluster with <c>pg_basebackup -R -X stream</c> into a new temporary directory and starts
    /// the copy as a hot standby streaming from it (read-only, same roles and passwords, its own port). Disposing
    /// the standby stops it and deletes its directory. For tests and benchmarks of read replicas.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">The base backup or the standby's start failed.</exception>
    public async Task<PostgresCluster> StartTemporaryStandbyAsync(CancellationToken cancellationToken)
    {
        var state = ClusterStateFile.Read(StatePath)
            ?? throw new InvalidOperationException($"no PostgreSQL cluster in {Directory}: start it first");
        var directory = Path.Combine(Path.GetTempPath(), TemporaryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var standby = new PostgresCluster(directory, _options, _logger, deleteOnDispose: true);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
            await standby.BaseBackupFromAsync(state, cancellationToken);
            ClusterStateFile.Write(standby.StatePath, state with { Port = FindFreePort() });
            await standby.StartAsync(cancellationToken);
            return standby;
        }
        catch
        {
            await standby.DisposeAsync();
            throw;
        }
    }

    // The replication password goes in a passfile next to PGDATA, not on a command line: pg_basebackup -R writes its
    // path into primary_conninfo, where the standby's WAL receiver keeps reading it.
    private async Task BaseBackupFromAsync(ClusterState primary, CancellationToken cancellationToken)
    {
        if (PostgresTool.RunsAsServiceUser && OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Directory, File.GetUnixFileMode(Directory) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(DataDirectory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var passfile = Path.Combine(Directory, "replication.pgpass");
        ClusterStateFile.WritePrivate(passfile, string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{primary.Port}:*:{primary.Superuser}:{primary.Password}\n"));
        if (PostgresTool.RunsAsServiceUser)
        {
            await PostgresTool.ChownAsync(DataDirectory, cancellationToken);
            await PostgresTool.ChownAsync(passfile, cancellationToken);
            await PostgresTool.EnsureServiceUserCanReachAsync(DataDirectory, cancellationToken);
        }

        var conninfo = string.Create(CultureInfo.InvariantCulture, $"host=127.0.0.1 port={primary.Port} user={primary.Superuser} passfile={passfile}");
        _logger.LogInformation("Base backup of 127.0.0.1:{Port} into {DataDirectory} for a hot standby", primary.Port, DataDirectory);
        var result = await PostgresTool.RunAsync(
            Path.Combine(PostgresBinaries.Find(), "pg_basebackup"),
            ["-D", DataDirectory, "-d", conninfo, "-R", "-X", "stream", "-c", "fast", .. (_options.Durable ? Array.Empty<string>() : ["--no-sync"])],
            Directory,
            cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new DatabaseUnavailableException($"pg_basebackup into {DataDirectory} failed: {PostgresTool.FirstLine(result.Output)}");
        }
    }
}
