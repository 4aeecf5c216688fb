using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Migrations;

/// <summary>
/// A migration that needs an exclusive lock while a long reader holds the table: without a lock_timeout its queued
/// lock request would hold every later insert (the poller's) behind it until the reader finishes.
/// </summary>
public sealed class MigrationLockTimeoutTests(DatabaseFixture fixture)
{
    private static readonly Migration LockProbe = Migration.FromText(
        "2099-01-01_lock_probe",
        "alter table market_book_snapshots add column lock_probe integer;\n");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MigrateAsync_BehindAnOpenReader_RetriesAfterItsLockTimeoutWhileSnapshotWritesCommit()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var market = TestSnapshots.NewMarketId();
        await using var reader = await OpenReaderAsync(dataSource);
        var options = new MigrationOptions
        {
            LockTimeout = TimeSpan.FromMilliseconds(200),
            MaxAttempts = 100_000,
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        };

        var migrate = ProbeRunner(dataSource).MigrateAsync(null, dryRun: false, options, null, Ct);
        await WaitUntilTheAlterWaitsForItsLockAsync(dataSource);

        // The poller's path, while the reader still holds its lock and the migration keeps asking for its own. The
        // bound only keeps a regression from hanging the run: without lock_timeout this write never finishes.
        var written = await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], [TestSnapshots.Snapshot(market, 1)]), Ct)
            .WaitAsync(TimeSpan.FromMinutes(1), Ct);

        Assert.Equal(1, written.SnapshotsInserted);
        Assert.False(migrate.IsCompleted, "the migration cannot finish while the reader holds its lock");
        await reader.Transaction.CommitAsync(Ct);
        var report = await migrate;

        var applied = Assert.Single(report.Applied);
        Assert.Equal(LockProbe.Id, applied.Migration.Id);
        Assert.True(applied.Attempts >= 2, $"expected retries after lock timeouts, got {applied.Attempts} attempt(s)");
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from market_book_snapshots where market_id = @market", new { market }));
        Assert.True(await connection.ExecuteScalarAsync<bool>(
            "select exists (select from information_schema.columns where table_name = 'market_book_snapshots' and column_name = 'lock_probe')"));
    }

    [Fact]
    public async Task MigrateAsync_ReaderOutlastsEveryAttempt_GivesUpNamingTheLockTimeoutAndAppliesNothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        await using var reader = await OpenReaderAsync(dataSource);
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(100), MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(10) };
        var runner = ProbeRunner(dataSource);

        var error = await Assert.ThrowsAsync<MigrationException>(() => runner.MigrateAsync(null, dryRun: false, options, null, Ct));

        Assert.Contains(LockProbe.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("100 ms lock_timeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Equal("55P03", Assert.IsType<PostgresException>(error.InnerException).SqlState);
        await reader.Transaction.CommitAsync(Ct);
        Assert.False((await runner.GetStatusAsync(Ct)).Single(s => s.Migration.Id == LockProbe.Id).IsApplied);
    }

    [Fact]
    public async Task MigrateAsync_LockTimeout_IsLocalToTheMigrationTransaction()
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, Ct));
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(1234) };
        var probe = Migration.FromText("2099-01-02_record_lock_timeout", "create table lock_timeout_seen as select current_setting('lock_timeout') as value;\n");
        var runner = new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance, [.. MigrationCatalog.All, probe]);

        await runner.MigrateAsync(null, dryRun: false, options, null, Ct);

        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        Assert.Equal("1234ms", await connection.ExecuteScalarAsync<string>("select value from lock_timeout_seen"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public async Task MigrateAsync_NonPositiveLockTimeout_IsRejected(int milliseconds)
    {
        await using var dataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: false, Ct));
        var options = new MigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(milliseconds) };

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ProbeRunner(dataSource).MigrateAsync(null, dryRun: false, options, null, Ct));
    }

    [Fact]
    public void DelayBeforeRetry_Doubles_UpToTheCap()
    {
        var options = new MigrationOptions { RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(5) };

        Assert.Equal([1, 2, 4, 5, 5], Enumerable.Range(1, 5).Select(retry => options.DelayBeforeRetry(retry).TotalSeconds));
    }

    private static MigrationRunner ProbeRunner(NpgsqlDataSource dataSource) =>
        new(dataSource, NullLogger<MigrationRunner>.Instance, [.. MigrationCatalog.All, LockProbe]);

    // A long report query: its transaction holds ACCESS SHARE on the table until it ends.
    private static async Task<Reader> OpenReaderAsync(NpgsqlDataSource dataSource)
    {
        var connection = await dataSource.OpenConnectionAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from market_book_snapshots", transaction: transaction, cancellationToken: Ct));
        return new Reader(connection, transaction);
    }

    private static async Task WaitUntilTheAlterWaitsForItsLockAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            select exists (
              select from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock' and query like 'alter table market_book_snapshots add column lock_probe%')
            """,
            cancellationToken: Ct)))
        {
            await Task.Delay(10, Ct);
        }
    }

    private sealed record Reader(NpgsqlConnection Connection, NpgsqlTransaction Transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
