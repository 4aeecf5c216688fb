using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace NetBet.Data.Cluster;

/// <summary>Throwaway clusters for tests and benchmarks, deleted when disposed.</summary>
public sealed partial class PostgresCluster
{
    private const string TemporaryPrefix = "netbet-pg-";

    private const string OwnerFileName = "owner.pid";

    /// <summary>
    /// Creates a throwaway, non-durable cluster in a new temporary directory and starts it. Disposing it stops the
    /// server and deletes the directory.
    /// </summary>
    public static Task<PostgresCluster> StartTemporaryAsync(ILogger? logger, CancellationToken cancellationToken) =>
        StartTemporaryAsync(PostgresClusterOptions.ForTests, logger, cancellationToken);

    /// <summary>As <see cref="StartTemporaryAsync(ILogger?, CancellationToken)"/> with chosen options (benchmarks keep durability).</summary>
    public static async Task<PostgresCluster> StartTemporaryAsync(PostgresClusterOptions options, ILogger? logger, CancellationToken cancellationToken)
    {
        await RemoveAbandonedTemporaryClustersAsync(cancellationToken);
        var directory = Path.Combine(Path.GetTempPath(), TemporaryPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        var cluster = new PostgresCluster(directory, options, logger, deleteOnDispose: true);
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, OwnerFileName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken);
            await cluster.StartAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops and deletes temporary clusters whose owning process has ended without disposing them (a test run that
    /// was killed), so they do not pile up.
    /// </summary>
    private static async Task RemoveAbandonedTemporaryClustersAsync(CancellationToken cancellationToken)
    {
        foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), TemporaryPrefix + "*"))
        {
            try
            {
                var owner = int.Parse(await File.ReadAllTextAsync(Path.Combine(directory, OwnerFileName), cancellationToken), CultureInfo.InvariantCulture);
                if (IsAlive(owner))
                {
                    continue;
                }

                await using var abandoned = new PostgresCluster(directory, PostgresClusterOptions.ForTests, logger: null, deleteOnDispose: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or DatabaseUnavailableException)
            {
                // No owner file (not ours, or still being created), or another process is cleaning it up.
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Stops and deletes a temporary cluster; does nothing for a user's cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_deleteOnDispose)
        {
            return;
        }

        try
        {
            await StopAsync(CancellationToken.None);
        }
        finally
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }
}
