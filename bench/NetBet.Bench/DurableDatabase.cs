using NetBet.Data.Cluster;
using Npgsql;

namespace NetBet.Bench;

/// <summary>
/// A new database for one benchmark: on NETBET_DB's server when it is set, else on a throwaway durable cluster
/// (fsync on, as production runs, unlike the test clusters), with no command timeout. Dropped afterwards unless kept.
/// </summary>
internal static class DurableDatabase
{
    /// <summary>Runs <paramref name="measure"/> on a new database named <c>netbet_bench_&lt;name&gt;_&lt;pid&gt;</c>.</summary>
    /// <param name="name">The benchmark's name, e.g. <c>backfill</c>.</param>
    /// <param name="keep">Keep the database on NETBET_DB's server afterwards.</param>
    /// <param name="measure">The benchmark; its result is returned.</param>
    public static async Task<int> RunAsync(string name, bool keep, Func<NpgsqlDataSource, Task<int>> measure)
    {
        var configured = Environment.GetEnvironmentVariable("NETBET_DB");
        PostgresCluster? cluster = null;
        string server;
        if (string.IsNullOrWhiteSpace(configured))
        {
            var directory = Path.Combine(Path.GetTempPath(), $"netbet-bench-{name}-{Environment.ProcessId}");
            cluster = new PostgresCluster(directory, new PostgresClusterOptions());
            Console.Error.WriteLine($"starting a throwaway durable PostgreSQL cluster in {directory}");
            await cluster.StartAsync(CancellationToken.None);
            server = cluster.GetConnectionString("postgres");
        }
        else
        {
            server = configured;
        }

        var database = $"netbet_bench_{name}_{Environment.ProcessId}";
        await PostgresCluster.CreateDatabaseAsync(server, database, template: null, CancellationToken.None);
        try
        {
            // No command timeout: a benchmark statement may rightly take minutes (a bulk update, a write waiting for
            // a migration's locks), and that time is what is measured.
            await using var db = NpgsqlDataSource.Create(
                new NpgsqlConnectionStringBuilder(PostgresCluster.WithDatabase(server, database))
                {
                    CommandTimeout = 0,
                    // The data source's ConnectionString keeps the password, so a benchmark can hand it to a child
                    // process (the web app); it is never printed.
                    PersistSecurityInfo = true,
                }.ConnectionString);
            return await measure(db);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            if (keep && cluster is null)
            {
                Console.Error.WriteLine($"kept database {database}");
            }
            else
            {
                await PostgresCluster.DropDatabaseAsync(server, database, CancellationToken.None);
            }

            if (cluster is not null)
            {
                await cluster.StopAsync(CancellationToken.None);
                Directory.Delete(cluster.Directory, recursive: true);
            }
        }
    }
}
