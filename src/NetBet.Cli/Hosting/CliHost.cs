using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using NetBet.Data;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Cli.Hosting;

/// <summary>
/// What every database command shares: the <c>--verbosity</c> option, console logging to stderr, the connection
/// string (<c>NETBET_DB</c> or the private cluster, started on demand) and the service provider with
/// <c>AddNetBetData</c>. Storage failures thrown by a command become one line on stderr and an exit code
/// (<see cref="TryGetExitCode"/>).
/// </summary>
internal static class CliHost
{
    private static readonly string[] VerbosityLevels = ["quiet", "minimal", "normal", "detailed", "diagnostic"];

    /// <summary>
    /// <c>--verbosity</c> (<c>-v</c>), on every command: quiet (nothing but results and errors), minimal (default:
    /// warnings), normal (information logs), detailed (debug), diagnostic (trace, Npgsql included).
    /// </summary>
    public static Option<string> Verbosity { get; } = CreateVerbosity();

    /// <summary>The log level <c>--verbosity</c> asks for.</summary>
    public static LogLevel GetLogLevel(ParseResult parseResult) => (parseResult?.GetValue(Verbosity) ?? "minimal") switch
    {
        "quiet" => LogLevel.None,
        "normal" => LogLevel.Information,
        "detailed" => LogLevel.Debug,
        "diagnostic" => LogLevel.Trace,
        _ => LogLevel.Warning,
    };

    /// <summary>Whether <c>--verbosity quiet</c> was given: commands then print results only, no progress lines.</summary>
    public static bool IsQuiet(ParseResult parseResult) => GetLogLevel(parseResult) == LogLevel.None;

    /// <summary>Console logging to stderr at the level of <c>--verbosity</c>.</summary>
    public static void ConfigureLogging(ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        logging.AddFilter("Npgsql", level <= LogLevel.Trace ? LogLevel.Trace : LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>A logger factory configured like the services' (for commands that need no database).</summary>
    public static ILoggerFactory CreateLoggerFactory(ParseResult parseResult) =>
        LoggerFactory.Create(logging => ConfigureLogging(logging, GetLogLevel(parseResult)));

    /// <summary>
    /// Validates <paramref name="option"/> with a check shared with the library that uses the value; the error
    /// names the option: <c>--name problem</c>.
    /// </summary>
    public static void AddCheck<T>(Option<T> option, Func<T, string?> check)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(check);
        option.Validators.Add(result =>
        {
            if (check(result.GetValueOrDefault<T>()) is { } problem)
            {
                result.AddError($"{option.Name} {problem}");
            }
        });
    }

    /// <summary>
    /// Turns SIGINT (Ctrl-C) and SIGTERM (systemd, docker stop) into a cancellation of <see cref="StopSignals.Token"/>
    /// instead of killing the process, so a long-running command finishes its current step and exits cleanly.
    /// </summary>
    /// <param name="cancellationToken">System.CommandLine's token, linked in.</param>
    public static StopSignals ListenForStop(CancellationToken cancellationToken) => new(cancellationToken);

    /// <summary>
    /// Resolves the connection string (starting the private cluster when <c>NETBET_DB</c> is unset), checks that the
    /// database accepts a connection, and builds the services: logging, <see cref="TimeProvider"/>,
    /// <c>AddNetBetData</c>, then <paramref name="configure"/>.
    /// </summary>
    /// <param name="maintenance">
    /// For long maintenance statements (audit, backfill, spot-check): no client-side command timeout, whatever
    /// <c>NETBET_DB</c> says, since a full-table pass may take minutes; Ctrl-C still cancels, and a server-side
    /// <c>statement_timeout</c> still applies (and is reported as a timeout).
    /// </param>
    /// <exception cref="DatabaseUnavailableException">The database cannot be reached (one line, no password).</exception>
    public static Task<ServiceProvider> BuildServicesAsync(
        ParseResult parseResult,
        CancellationToken cancellationToken,
        Action<IServiceCollection>? configure = null,
        bool maintenance = false) =>
        BuildServicesAsync(parseResult, requireConnection: true, cancellationToken, configure, maintenance);

    /// <summary>
    /// As <see cref="BuildServicesAsync(ParseResult, CancellationToken, Action{IServiceCollection}?, bool)"/>; with
    /// <paramref name="requireConnection"/> false an unreachable database is one warning line on stderr instead of
    /// an exception (a command that can wait for it, such as a poller with a spool).
    /// </summary>
    public static async Task<ServiceProvider> BuildServicesAsync(
        ParseResult parseResult,
        bool requireConnection,
        CancellationToken cancellationToken,
        Action<IServiceCollection>? configure = null,
        bool maintenance = false)
    {
        var level = GetLogLevel(parseResult);
        string connectionString;
        if (Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable) is { } configured && !string.IsNullOrWhiteSpace(configured))
        {
            // Nothing to start, so nothing to log: a short command does not pay for a second logging setup.
            connectionString = await NetBetDatabase.ResolveConnectionStringAsync(configured, logger: null, cancellationToken);
        }
        else
        {
            using var bootstrap = LoggerFactory.Create(logging => ConfigureLogging(logging, level));
            await AnnounceClusterStartAsync(level, cancellationToken);
            connectionString = await NetBetDatabase.ResolveConnectionStringAsync(bootstrap.CreateLogger("NetBet.Cli.Database"), cancellationToken);
        }

        if (maintenance)
        {
            connectionString = WithoutCommandTimeout(connectionString);
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => ConfigureLogging(logging, level));
        services.AddSingleton(TimeProvider.System);
        services.AddNetBetData(connectionString);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        try
        {
            await using var connection = await provider.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync(cancellationToken);
            return provider;
        }
        catch (NpgsqlException e) when (!requireConnection)
        {
            await Console.Error.WriteLineAsync($"netbet: warning: cannot connect to the database {NetBetDatabase.Describe(connectionString)} yet: {OneLine(e.Message)}");
            return provider;
        }
        catch (NpgsqlException e)
        {
            await provider.DisposeAsync();
            throw new DatabaseUnavailableException($"cannot connect to the database {NetBetDatabase.Describe(connectionString)}: {OneLine(e.Message)}", e);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// For a storage failure a command did not handle: writes one line to <paramref name="stderr"/> and returns the
    /// exit code; null for anything else (a bug, left to the top-level handler).
    /// </summary>
    public static int? TryGetExitCode(Exception exception, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        (string Message, int Code)? handled = exception switch
        {
            DatabaseUnavailableException e => (e.Message, ExitCodes.Unavailable),
            _ when DescribeTimeout(exception) is { } timeout => (timeout, ExitCodes.Unavailable),
            NpgsqlException e when e is not PostgresException => ($"database connection failed: {OneLine(e.Message)}", ExitCodes.Unavailable),
            SchemaNotReadyException e => (e.Message, ExitCodes.Failed),
            MigrationException e => (e.Message, ExitCodes.Failed),
            OperationCanceledException => ("interrupted", ExitCodes.Interrupted),
            _ => null,
        };
        if (handled is not { } h)
        {
            return null;
        }

        stderr.WriteLine($"netbet: {h.Message}");
        return h.Code;
    }

    // Creating the private cluster takes seconds: say so, unless NETBET_DB is set or the user asked for quiet.
    private static async Task AnnounceClusterStartAsync(LogLevel level, CancellationToken cancellationToken)
    {
        if (level == LogLevel.None || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable)))
        {
            return;
        }

        var status = await PostgresCluster.ForNetBetHome().GetStatusAsync(cancellationToken);
        if (status.State == PostgresClusterState.NotInitialized)
        {
            await Console.Error.WriteLineAsync($"netbet: creating a private PostgreSQL cluster in {status.DataDirectory} (first run; set NETBET_DB to use another database)");
        }
    }

    private static Option<string> CreateVerbosity()
    {
        var option = new Option<string>("--verbosity", "-v")
        {
            Description = "How much to log on stderr: quiet, minimal (warnings, the default), normal (progress logs), detailed or diagnostic.",
            DefaultValueFactory = _ => "minimal",
            Recursive = true,
            HelpName = "level",
        };
        option.AcceptOnlyFromAmong(VerbosityLevels);
        return option;
    }

    /// <summary>No client-side timeout for maintenance statements (0 = wait for the server; cancellation still works).</summary>
    internal static string WithoutCommandTimeout(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 }.ConnectionString;

    /// <summary>
    /// The message for a statement that ran out of time (the client's command timeout, or the server's
    /// statement_timeout or lock_timeout), or null for any other failure: a timeout is not a lost connection.
    /// </summary>
    internal static string? DescribeTimeout(Exception exception) => exception switch
    {
        NpgsqlException { InnerException: TimeoutException } =>
            "database statement timed out: no answer within the command timeout ('Command Timeout' in NETBET_DB, 30 s unless set); " +
            "the statement was cancelled and its transaction rolled back",
        PostgresException { SqlState: PostgresErrorCodes.QueryCanceled } e when e.MessageText.Contains("statement timeout", StringComparison.Ordinal) =>
            $"database statement timed out: the server's statement_timeout cancelled it ({e.MessageText}); its transaction was rolled back",
        PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable } e =>
            $"database statement timed out waiting for a lock ({e.MessageText}); its transaction was rolled back",
        _ => null,
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>The stop request of <see cref="ListenForStop"/>; dispose to restore the default signal handling.</summary>
    internal sealed class StopSignals : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly PosixSignalRegistration _sigterm;
        private readonly PosixSignalRegistration _sigint;

        public StopSignals(CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        }

        /// <summary>Cancelled by SIGINT, SIGTERM or the command's own token.</summary>
        public CancellationToken Token => _stop.Token;

        /// <summary>Also stops after <paramref name="delay"/> (a <c>--duration</c>).</summary>
        public void CancelAfter(TimeSpan delay) => _stop.CancelAfter(delay);

        public void Dispose()
        {
            _sigint.Dispose();
            _sigterm.Dispose();
            _stop.Dispose();
        }

        private void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _stop.Cancel();
        }
    }
}
