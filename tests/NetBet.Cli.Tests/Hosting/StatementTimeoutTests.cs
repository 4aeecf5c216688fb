using Dapper;
using NetBet.Cli.Hosting;
using Npgsql;

namespace NetBet.Cli.Tests.Hosting;

/// <summary>
/// Maintenance commands run without the client's command timeout; any statement that does time out is reported as
/// a timeout, never as "database connection failed".
/// </summary>
public sealed class StatementTimeoutTests(CliDatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TryGetExitCode_ClientCommandTimeout_SaysTimedOut()
    {
        await using var dataSource = NpgsqlDataSource.Create(WithOneSecondCommandTimeout(await fixture.CreateBaseSchemaDatabaseAsync(Ct)));
        await using var connection = await dataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.ExecuteAsync("select pg_sleep(30)"));

        AssertReportedAsTimeout(error);
    }

    [Fact]
    public async Task TryGetExitCode_ServerStatementTimeout_SaysTimedOut()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateBaseSchemaDatabaseAsync(Ct));
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync("set statement_timeout = 100");

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.ExecuteAsync("select pg_sleep(30)"));

        AssertReportedAsTimeout(error);
    }

    [Fact]
    public void WithoutCommandTimeout_OverridesAnyCommandTimeout()
    {
        var connectionString = CliHost.WithoutCommandTimeout("Host=localhost;Database=netbet;Command Timeout=1");

        Assert.Equal(0, new NpgsqlConnectionStringBuilder(connectionString).CommandTimeout);
    }

    [Fact]
    public async Task Run_AuditWaitingLongerThanTheCommandTimeout_StillFinishes()
    {
        var db = await fixture.CreateBaseSchemaDatabaseAsync(Ct);
        await using var dataSource = NpgsqlDataSource.Create(db);
        await using var blocker = await LockAsync(dataSource, "market_book_snapshots, market_derived_metrics");

        using var audit = NetBetProcess.Start(WithOneSecondCommandTimeout(db), "audit");
        await WaitForALockWaitLongerThanAsync(dataSource, TimeSpan.FromSeconds(2));
        await blocker.Transaction.CommitAsync(Ct);
        var exitCode = await audit.WaitAsync(Ct);

        Assert.DoesNotContain("timed out", audit.Stderr, StringComparison.Ordinal);
        Assert.True(exitCode is ExitCodes.Success or ExitCodes.Failed, $"exit {exitCode}: {audit.Stderr}");
        Assert.NotEmpty(await audit.Stdout);
    }

    [Fact]
    public async Task Run_MigrateStatusPastTheCommandTimeout_ExitsThreeSayingTimedOut()
    {
        var db = await fixture.CreateBaseSchemaDatabaseAsync(Ct);
        await using var dataSource = NpgsqlDataSource.Create(db);
        await using var blocker = await LockAsync(dataSource, "schema_migrations");

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(WithOneSecondCommandTimeout(db), Ct, "migrate", "status");

        Assert.Equal(ExitCodes.Unavailable, exitCode);
        Assert.Contains("timed out", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("connection failed", stderr, StringComparison.Ordinal);
    }

    private static string WithOneSecondCommandTimeout(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 }.ConnectionString;

    // An open transaction holding ACCESS EXCLUSIVE on the tables: every statement touching them waits until it ends.
    private static async Task<Blocker> LockAsync(NpgsqlDataSource dataSource, string tables)
    {
        var connection = await dataSource.OpenConnectionAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync(new CommandDefinition($"lock table {tables} in access exclusive mode", transaction: transaction, cancellationToken: Ct));
        return new Blocker(connection, transaction);
    }

    private static void AssertReportedAsTimeout(Exception error)
    {
        using var stderr = new StringWriter();

        var exitCode = CliHost.TryGetExitCode(error, stderr);

        Assert.Equal(ExitCodes.Unavailable, exitCode);
        Assert.Contains("timed out", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("connection failed", stderr.ToString(), StringComparison.Ordinal);
    }

    private static async Task WaitForALockWaitLongerThanAsync(NpgsqlDataSource dataSource, TimeSpan wait)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            select exists (
              select from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and now() - query_start > @wait)
            """,
            new { wait },
            cancellationToken: Ct)))
        {
            await Task.Delay(50, Ct);
        }
    }

    private sealed record Blocker(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
