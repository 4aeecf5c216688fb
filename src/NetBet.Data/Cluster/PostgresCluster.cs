using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace NetBet.Data.Cluster;

/// <summary>
/// A private PostgreSQL cluster run from the machine's PostgreSQL install: <c>initdb</c> with a generated password
/// (scram-sha-256), listening on 127.0.0.1 only on a free port, no Unix sockets. Layout of <see cref="Directory"/>:
/// <c>data/</c> (PGDATA, server log in <c>data/server.log</c>), <c>cluster.json</c> (port, superuser, password; mode
/// 0600) and a lock file serialising start and stop across processes. The user's default cluster lives in
/// <c>$NETBET_HOME/pg</c>; tests use <see cref="StartTemporaryAsync"/>.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    /// <summary>Environment variable naming the directory of netbet's local state (the ./netbet script sets it).</summary>
    public const string HomeVariable = "NETBET_HOME";

    private readonly PostgresClusterOptions _options;
    private readonly ILogger _logger;
    private readonly bool _deleteOnDispose;

    /// <summary>Creates a handle on the cluster in <paramref name="directory"/>; nothing is started or created yet.</summary>
    public PostgresCluster(string directory, PostgresClusterOptions? options = null, ILogger? logger = null)
        : this(directory, options, logger, deleteOnDispose: false)
    {
    }

    private PostgresCluster(string directory, PostgresClusterOptions? options, ILogger? logger, bool deleteOnDispose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _options = options ?? new PostgresClusterOptions();
        _logger = logger ?? NullLogger.Instance;
        _deleteOnDispose = deleteOnDispose;
    }

    /// <summary>The cluster's directory (<c>$NETBET_HOME/pg</c> for the default cluster).</summary>
    public string Directory { get; }

    /// <summary>PGDATA.</summary>
    public string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>The server log.</summary>
    public string LogFile => Path.Combine(DataDirectory, "server.log");

    private string StatePath => Path.Combine(Directory, "cluster.json");

    private string LockPath => Path.Combine(Directory, ".lock");

    /// <summary><c>$NETBET_HOME</c>, else <c>./.netbet</c>, as a full path.</summary>
    public static string ResolveHome()
    {
        var home = Environment.GetEnvironmentVariable(HomeVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(home) ? ".netbet" : home);
    }

    /// <summary>The user's default cluster: <c>&lt;home&gt;/pg</c>, home defaulting to <see cref="ResolveHome"/>.</summary>
    public static PostgresCluster ForNetBetHome(string? home = null, ILogger? logger = null) =>
        new(Path.Combine(home ?? ResolveHome(), "pg"), options: null, logger);

    /// <summary>Whether the cluster exists and whether its server runs. Starts nothing.</summary>
    public Task<PostgresClusterStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(GetStatus());
    }

    private PostgresClusterStatus GetStatus()
    {
        var version = ReadVersion();
        var state = ClusterStateFile.Read(StatePath);
        if (version is null || state is null)
        {
            return new PostgresClusterStatus(PostgresClusterState.NotInitialized, DataDirectory, null, null, null);
        }

        var pid = ReadLivePostmasterPid();
        if (pid is null)
        {
            return new PostgresClusterStatus(PostgresClusterState.Stopped, DataDirectory, state.Port, null, version);
        }

        return new PostgresClusterStatus(PostgresClusterState.Running, DataDirectory, state.Port, pid, version);
    }

    /// <summary>
    /// Creates the cluster when it does not exist and starts its server when it is not running; returns once it
    /// accepts connections. Safe to call from several processes at once.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">Binaries missing, directory unreachable, or the server failed to start.</exception>
    public async Task<PostgresClusterStatus> StartAsync(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (PostgresTool.RunsAsServiceUser && OperatingSystem.IsLinux())
        {
            // The server runs as postgres and must traverse this directory; cluster.json inside stays 0600.
            File.SetUnixFileMode(Directory, File.GetUnixFileMode(Directory) | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        await using var fileLock = await ClusterLock.AcquireAsync(LockPath, _options.Timeout, cancellationToken);
        var status = await GetStatusAsync(cancellationToken);
        if (status.State == PostgresClusterState.NotInitialized)
        {
            await InitializeAsync(cancellationToken);
        }

        if (status.State != PostgresClusterState.Running)
        {
            await StartServerAsync(cancellationToken);
        }

        await WaitUntilReadyAsync(cancellationToken);
        return await GetStatusAsync(cancellationToken);
    }

    /// <summary>Stops the server (fast shutdown). Returns false when it was not running.</summary>
    public async Task<bool> StopAsync(CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return false;
        }

        await using var fileLock = await ClusterLock.AcquireAsync(LockPath, _options.Timeout, cancellationToken);
        var status = await GetStatusAsync(cancellationToken);
        if (status.State != PostgresClusterState.Running)
        {
            return false;
        }

        var binDirectory = PostgresBinaries.Find(status.Version);
        var timeoutSeconds = ((int)_options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        var result = await PostgresTool.RunAsync(
            Path.Combine(binDirectory, "pg_ctl"),
            ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", timeoutSeconds],
            Directory,
            cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new DatabaseUnavailableException($"pg_ctl stop failed for {DataDirectory}: {PostgresTool.FirstLine(result.Output)}");
        }

        _logger.LogInformation("Stopped PostgreSQL in {DataDirectory}", DataDirectory);
        return true;
    }

    /// <summary>
    /// The connection string of a database in this cluster as its superuser. It contains the password: print it
    /// only where the user asked for it, never log it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The cluster has not been created.</exception>
    public string GetConnectionString(string database = NetBetDatabase.DefaultDatabaseName)
    {
        var state = ClusterStateFile.Read(StatePath)
            ?? throw new InvalidOperationException($"no PostgreSQL cluster in {Directory}: start it first");
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = state.Port,
            Username = state.Superuser,
            Password = state.Password,
            Database = database,
        }.ConnectionString;
    }

    /// <summary>Creates <paramref name="database"/> in this cluster when it does not exist.</summary>
    public Task EnsureDatabaseAsync(string database, CancellationToken cancellationToken) =>
        EnsureDatabaseAsync(GetConnectionString("postgres"), database, cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var binDirectory = PostgresBinaries.Find();
        if (File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            throw new DatabaseUnavailableException(
                $"{DataDirectory} holds a PostgreSQL cluster but its settings file {StatePath} is missing, so its password is unknown: " +
                $"delete {Directory} to start over (its data is lost), or set NETBET_DB");
        }

        _logger.LogInformation("Creating a private PostgreSQL cluster in {DataDirectory}", DataDirectory);
        if (System.IO.Directory.Exists(DataDirectory))
        {
            System.IO.Directory.Delete(DataDirectory, recursive: true);
        }

        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(DataDirectory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var state = new ClusterState(FindFreePort(), _options.Superuser, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
        ClusterStateFile.Write(StatePath, state);

        // initdb reads the password from a file; it must be readable by the user initdb runs as, and is deleted at once.
        var passwordFile = Path.Combine(Directory, "initdb.pw");
        ClusterStateFile.WritePrivate(passwordFile, state.Password + "\n");
        try
        {
            if (PostgresTool.RunsAsServiceUser)
            {
                await PostgresTool.ChownAsync(DataDirectory, cancellationToken);
                await PostgresTool.ChownAsync(passwordFile, cancellationToken);
                await PostgresTool.EnsureServiceUserCanReachAsync(DataDirectory, cancellationToken);
            }

            var result = await PostgresTool.RunAsync(
                Path.Combine(binDirectory, "initdb"),
                [
                    "-D", DataDirectory, "-U", state.Superuser, "--auth=scram-sha-256", $"--pwfile={passwordFile}",
                    "-E", "UTF8", "--no-locale", "--no-instructions", .. (_options.Durable ? Array.Empty<string>() : ["--no-sync"]),
                ],
                Directory,
                cancellationToken);
            if (result.ExitCode != 0)
            {
                throw new DatabaseUnavailableException($"initdb failed for {DataDirectory}: {PostgresTool.FirstLine(result.Output)}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }

        var settings = new List<string>
        {
            "",
            "# netbet: a private cluster, reachable over TCP on 127.0.0.1 only (the port is passed by pg_ctl -o).",
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
            "logging_collector = off",
        };
        if (!_options.Durable)
        {
            settings.AddRange(["# A throwaway test cluster: speed over durability.", "fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        }

        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"), settings, cancellationToken);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        var version = ReadVersion();
        var binDirectory = PostgresBinaries.Find(version);
        await PostgresTool.EnsureServiceUserCanReachAsync(DataDirectory, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var state = ClusterStateFile.Read(StatePath)!;
            if (!IsPortFree(state.Port))
            {
                state = state with { Port = FindFreePort() };
                ClusterStateFile.Write(StatePath, state);
            }

            _logger.LogInformation("Starting PostgreSQL {Version} in {DataDirectory} on 127.0.0.1:{Port}", version, DataDirectory, state.Port);
            var result = await PostgresTool.RunAsync(
                Path.Combine(binDirectory, "pg_ctl"),
                [
                    "start", "-D", DataDirectory, "-l", LogFile, "-w",
                    "-t", ((int)_options.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
                    "-o", $"-p {state.Port.ToString(CultureInfo.InvariantCulture)}",
                ],
                Directory,
                cancellationToken);
            if (result.ExitCode == 0)
            {
                return;
            }

            var log = ReadLogTail();
            if (attempt < 3 && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                // Another process took the port between the check and the start.
                ClusterStateFile.Write(StatePath, state with { Port = FindFreePort() });
                continue;
            }

            throw new DatabaseUnavailableException(
                $"PostgreSQL failed to start in {DataDirectory}: {LastErrorLine(log) ?? PostgresTool.FirstLine(result.Output)} (log: {LogFile})");
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _options.Timeout;
        var builder = new NpgsqlConnectionStringBuilder(GetConnectionString("postgres")) { Pooling = false, Timeout = 5 };
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(builder.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
            }
            catch (NpgsqlException e)
            {
                throw new DatabaseUnavailableException(
                    $"PostgreSQL in {DataDirectory} is running but does not accept connections on 127.0.0.1:{builder.Port}: {e.Message}", e);
            }
        }
    }

    private string? ReadVersion()
    {
        var path = Path.Combine(DataDirectory, "PG_VERSION");
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (UnauthorizedAccessException)
        {
            // A non-root user looking at a root-run cluster: PGDATA belongs to postgres.
            return null;
        }
    }

    private int? ReadLivePostmasterPid()
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(DataDirectory, "postmaster.pid"));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }

        if (lines.Length == 0 || !int.TryParse(lines[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            return null;
        }

        // A stale postmaster.pid after a crash or reboot names a dead process; pg_ctl start replaces it.
        return IsAlive(pid) ? pid : null;
    }

    private string ReadLogTail()
    {
        try
        {
            var lines = File.ReadAllLines(LogFile);
            return string.Join('\n', lines.TakeLast(20));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static string? LastErrorLine(string log) =>
        log.Split('\n').LastOrDefault(line => line.Contains("FATAL", StringComparison.Ordinal) || line.Contains("ERROR", StringComparison.Ordinal))?.Trim();

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsPortFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
