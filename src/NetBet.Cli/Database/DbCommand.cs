using System.CommandLine;
using Microsoft.Extensions.Logging;
using NetBet.Cli.Hosting;
using NetBet.Data;
using NetBet.Data.Cluster;

namespace NetBet.Cli.Database;

/// <summary><c>netbet db start|stop|status|url</c>: the private PostgreSQL cluster in <c>$NETBET_HOME/pg</c>.</summary>
internal sealed class DbCommand : Command
{
    public DbCommand()
        : base("db", """
            Manage netbet's private PostgreSQL cluster, used when NETBET_DB is unset. It runs from the machine's
            PostgreSQL install (Debian package 'postgresql'), keeps its data in $NETBET_HOME/pg (./.netbet/pg), listens
            on 127.0.0.1 only with a generated password, and is started on demand by any command that needs it.

            Example:
              ./netbet db status
              psql "$(./netbet db url --uri)"
            """)
    {
        Subcommands.Add(new DbStartCommand());
        Subcommands.Add(new DbStopCommand());
        Subcommands.Add(new DbStatusCommand());
        Subcommands.Add(new DbUrlCommand());
    }

    /// <summary>The user's private cluster, logging like the other commands.</summary>
    public static PostgresCluster OpenCluster(ILoggerFactory loggers) =>
        PostgresCluster.ForNetBetHome(logger: loggers.CreateLogger("NetBet.Cli.Database"));

    /// <summary>Notes on stderr that NETBET_DB, when set, is what the other commands use.</summary>
    public static async Task WarnIfNetBetDbSetAsync(ParseResult parseResult)
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable)) && !CliHost.IsQuiet(parseResult))
        {
            await Console.Error.WriteLineAsync(
                $"note: NETBET_DB is set, so other commands use that database ({NetBetDatabase.Describe(Environment.GetEnvironmentVariable(NetBetDatabase.ConnectionStringVariable)!)}), not this cluster");
        }
    }
}

/// <summary><c>netbet db start</c>.</summary>
internal sealed class DbStartCommand : Command
{
    public DbStartCommand()
        : base("start", """
            Create the private cluster if needed (initdb), start it, and create the 'netbet' database if missing.
            Does nothing when it already runs. Prints its status line.

            Example:
              ./netbet db start
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            await DbCommand.WarnIfNetBetDbSetAsync(parseResult);
            using var loggers = CliHost.CreateLoggerFactory(parseResult);
            var cluster = DbCommand.OpenCluster(loggers);
            await cluster.StartAsync(cancellationToken);
            await cluster.EnsureDatabaseAsync(NetBetDatabase.DefaultDatabaseName, cancellationToken);
            await Console.Out.WriteLineAsync((await cluster.GetStatusAsync(cancellationToken)).Describe());
            return ExitCodes.Success;
        });
    }
}

/// <summary><c>netbet db stop</c>.</summary>
internal sealed class DbStopCommand : Command
{
    public DbStopCommand()
        : base("stop", """
            Stop the private cluster (fast shutdown: open sessions are disconnected). Its data stays; any command
            starts it again.

            Example:
              ./netbet db stop
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            using var loggers = CliHost.CreateLoggerFactory(parseResult);
            var cluster = DbCommand.OpenCluster(loggers);
            var stopped = await cluster.StopAsync(cancellationToken);
            await Console.Out.WriteLineAsync(stopped ? $"stopped: data {cluster.DataDirectory}" : "not running");
            return ExitCodes.Success;
        });
    }
}

/// <summary><c>netbet db status</c>.</summary>
internal sealed class DbStatusCommand : Command
{
    public DbStatusCommand()
        : base("status", """
            Print whether the private cluster exists and runs, with its port, pid and data directory. Starts nothing.
            Exit 0 when it runs, 3 when it is stopped or not created yet.

            Example:
              ./netbet db status
            """)
    {
        SetAction(async (parseResult, cancellationToken) =>
        {
            using var loggers = CliHost.CreateLoggerFactory(parseResult);
            var status = await DbCommand.OpenCluster(loggers).GetStatusAsync(cancellationToken);
            await Console.Out.WriteLineAsync(status.Describe());
            await DbCommand.WarnIfNetBetDbSetAsync(parseResult);
            return status.State == PostgresClusterState.Running ? ExitCodes.Success : ExitCodes.Unavailable;
        });
    }
}

/// <summary><c>netbet db url</c>.</summary>
internal sealed class DbUrlCommand : Command
{
    public DbUrlCommand()
        : base("url", """
            Print the connection string of the private cluster's 'netbet' database, starting it if needed. It contains
            the cluster's generated password: this is your own private cluster, keep the output to yourself.

            Example:
              ./netbet db url
              psql "$(./netbet db url --uri)" -c '\dt'
              NETBET_DB="$(./netbet db url)" dotnet test
            """)
    {
        Options.Add(Uri);
        SetAction(async (parseResult, cancellationToken) =>
        {
            await DbCommand.WarnIfNetBetDbSetAsync(parseResult);
            using var loggers = CliHost.CreateLoggerFactory(parseResult);
            var cluster = DbCommand.OpenCluster(loggers);
            await cluster.StartAsync(cancellationToken);
            await cluster.EnsureDatabaseAsync(NetBetDatabase.DefaultDatabaseName, cancellationToken);
            var connectionString = cluster.GetConnectionString(NetBetDatabase.DefaultDatabaseName);
            await Console.Out.WriteLineAsync(parseResult.GetValue(Uri) ? ToUri(connectionString) : connectionString);
            return ExitCodes.Success;
        });
    }

    public Option<bool> Uri { get; } = new("--uri") { Description = "Print a postgresql:// URI (for psql) instead of an Npgsql connection string." };

    private static string ToUri(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"postgresql://{System.Uri.EscapeDataString(builder.Username!)}:{System.Uri.EscapeDataString(builder.Password!)}@{builder.Host}:{builder.Port}/{System.Uri.EscapeDataString(builder.Database!)}";
    }
}
