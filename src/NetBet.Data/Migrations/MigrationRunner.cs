using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NetBet.Data.Migrations;

/// <summary>
/// Applies the embedded migrations in id order, each in its own transaction, and records them with their checksum in
/// <c>schema_migrations</c>. A session-level advisory lock is held around the whole run so concurrent runs are
/// safe: the second one waits, then finds nothing left to do. Forward-only: nothing is ever rolled back.
/// Each migration runs with a <c>lock_timeout</c> and is retried with backoff when it hits it, so a migration waiting
/// behind a long reader never holds the poller's inserts queued behind its lock request for longer than that timeout.
/// A pending migration older than the newest applied one is refused unless allowed (<see cref="MigrationOptions.AllowOutOfOrder"/>).
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
{
    /// <summary>The advisory lock key held while migrating (the bytes of "netbetmg").</summary>
    public const long AdvisoryLockKey = 0x6E65746265746D67;

    private const string CreateHistorySql = """
        create table if not exists schema_migrations (
          id text primary key,
          checksum text not null,
          applied_at timestamptz not null default now(),
          execution_ms integer
        )
        """;

    private const string HistoryExistsSql = "select to_regclass('schema_migrations') is not null";

    private const string ReadHistorySql = "select id, checksum, applied_at as appliedat, execution_ms as executionms from schema_migrations order by id";

    private const string RecordSql = "insert into schema_migrations (id, checksum, execution_ms) values (@id, @checksum, @executionMs)";

    // Local to the migration's transaction: the session's own setting is back once it commits or rolls back.
    private const string SetLockTimeoutSql = "select set_config('lock_timeout', @lockTimeout, true)";

    private const string LockNotAvailable = PostgresErrorCodes.LockNotAvailable;

    private const string DeadlockDetected = PostgresErrorCodes.DeadlockDetected;

    private readonly IReadOnlyList<Migration> _migrations = MigrationCatalog.All;

    /// <summary>Creates a runner over a given list of migrations instead of the embedded ones (tests).</summary>
    internal MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger, IReadOnlyList<Migration> migrations)
        : this(dataSource, logger)
    {
        _migrations = [.. migrations.OrderBy(m => m.Id, StringComparer.Ordinal)];
    }

    /// <summary>The migrations this runner knows, in apply order.</summary>
    public IReadOnlyList<Migration> Migrations => _migrations;

    /// <summary>
    /// Every known migration with its state in the database. Throws <see cref="MigrationException"/> when the
    /// history holds an unknown id or a checksum that differs from the embedded script.
    /// </summary>
    public async Task<IReadOnlyList<MigrationStatus>> GetStatusAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ReadStatusAsync(connection, cancellationToken);
    }

    /// <summary>
    /// Applies pending migrations up to and including <paramref name="targetId"/> (all when null) with the default
    /// <see cref="MigrationOptions"/>. On a dry run nothing is created or applied; the report says what would run.
    /// </summary>
    /// <param name="targetId">The last migration to apply; must be a known id.</param>
    /// <param name="dryRun">Report the plan without applying anything.</param>
    /// <param name="onApplied">Called after each migration commits (for progress lines).</param>
    /// <param name="cancellationToken">Cancels the run; the migration in flight is rolled back.</param>
    public Task<MigrationReport> MigrateAsync(
        string? targetId,
        bool dryRun,
        Action<AppliedMigration>? onApplied,
        CancellationToken cancellationToken) =>
        MigrateAsync(targetId, dryRun, MigrationOptions.Default, onApplied, cancellationToken);

    /// <summary>
    /// Applies pending migrations up to and including <paramref name="targetId"/> (all when null). On a dry run
    /// nothing is created or applied; the report says what would run. Throws <see cref="MigrationException"/> when
    /// the plan holds a migration older than the newest applied one (unless <see cref="MigrationOptions.AllowOutOfOrder"/>)
    /// or a migration still hits its lock timeout after <see cref="MigrationOptions.MaxAttempts"/> attempts.
    /// </summary>
    /// <param name="targetId">The last migration to apply; must be a known id.</param>
    /// <param name="dryRun">Report the plan without applying anything.</param>
    /// <param name="options">Lock timeout, retries and the out-of-order rule.</param>
    /// <param name="onApplied">Called after each migration commits (for progress lines).</param>
    /// <param name="cancellationToken">Cancels the run; the migration in flight is rolled back.</param>
    public async Task<MigrationReport> MigrateAsync(
        string? targetId,
        bool dryRun,
        MigrationOptions options,
        Action<AppliedMigration>? onApplied,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (targetId is not null && _migrations.All(m => m.Id != targetId))
        {
            throw new MigrationException(UnknownTargetMessage(targetId));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (dryRun)
        {
            var status = await ReadStatusAsync(connection, cancellationToken);
            return new MigrationReport(status, Plan(status, targetId, options.AllowOutOfOrder), [], DryRun: true);
        }

        await AcquireLockAsync(connection, cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateHistorySql, cancellationToken: cancellationToken));
            var before = await ReadStatusAsync(connection, cancellationToken);
            var plan = Plan(before, targetId, options.AllowOutOfOrder);
            var applied = new List<AppliedMigration>(plan.Count);
            foreach (var migration in plan)
            {
                var done = await ApplyWithRetriesAsync(connection, migration, options, cancellationToken);
                applied.Add(done);
                onApplied?.Invoke(done);
            }

            return new MigrationReport(before, plan, applied, DryRun: false);
        }
        finally
        {
            // Closing the connection would release the lock too, but a pooled connection is only reset lazily.
            try
            {
                await connection.ExecuteAsync(
                    new CommandDefinition("select pg_advisory_unlock(@key)", new { key = AdvisoryLockKey }, cancellationToken: CancellationToken.None));
            }
            catch (NpgsqlException)
            {
                // The connection broke: the server released the lock with the session. Keep the original error.
            }
        }
    }

    /// <summary>The message for a <c>--to</c> id that names no migration, listing the valid ids.</summary>
    public string UnknownTargetMessage(string targetId) =>
        $"unknown migration id '{targetId}'; valid ids: {string.Join(", ", _migrations.Select(m => m.Id))}";

    /// <summary>
    /// The pending migrations whose id sorts before the newest applied one: <see cref="MigrateAsync(string?, bool, MigrationOptions, Action{AppliedMigration}?, CancellationToken)"/>
    /// applies them only with <see cref="MigrationOptions.AllowOutOfOrder"/>.
    /// </summary>
    public static IReadOnlySet<string> OutOfOrder(IReadOnlyList<MigrationStatus> status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var newestApplied = status.Where(s => s.IsApplied).Select(s => s.Migration.Id).Max(StringComparer.Ordinal);
        return newestApplied is null
            ? new HashSet<string>(StringComparer.Ordinal)
            : status.Where(s => !s.IsApplied && string.CompareOrdinal(s.Migration.Id, newestApplied) < 0).Select(s => s.Migration.Id).ToHashSet(StringComparer.Ordinal);
    }

    private static List<Migration> Plan(IReadOnlyList<MigrationStatus> status, string? targetId, bool allowOutOfOrder)
    {
        var plan = new List<Migration>();
        foreach (var entry in status)
        {
            if (!entry.IsApplied)
            {
                plan.Add(entry.Migration);
            }

            if (entry.Migration.Id == targetId)
            {
                break;
            }
        }

        var outOfOrderIds = OutOfOrder(status);
        var outOfOrder = plan.Where(m => outOfOrderIds.Contains(m.Id)).Select(m => m.Id).ToList();
        if (outOfOrder.Count > 0 && !allowOutOfOrder)
        {
            var newestApplied = status.Last(s => s.IsApplied).Migration.Id;
            throw new MigrationException(
                $"pending migration(s) {string.Join(", ", outOfOrder)} sort before {newestApplied}, the newest applied one (out of order; " +
                "probably merged after the database moved on, and written against an older schema); nothing was applied. " +
                "Review them against the current schema, then apply them with --allow-out-of-order");
        }

        return plan;
    }

    private async Task AcquireLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var acquired = await connection.ExecuteScalarAsync<bool>(
            new CommandDefinition("select pg_try_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken));
        if (!acquired)
        {
            logger.LogInformation("Another migration run holds the lock; waiting for it to finish");
            await connection.ExecuteAsync(
                new CommandDefinition("select pg_advisory_lock(@key)", new { key = AdvisoryLockKey }, cancellationToken: cancellationToken, commandTimeout: 0));
        }
    }

    private async Task<AppliedMigration> ApplyWithRetriesAsync(
        NpgsqlConnection connection,
        Migration migration,
        MigrationOptions options,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(connection, migration, options.LockTimeout, attempt, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is LockNotAvailable or DeadlockDetected)
            {
                var what = e.SqlState == LockNotAvailable
                    ? $"could not get a lock within its {FormatDuration(options.LockTimeout)} lock_timeout"
                    : "was chosen as a deadlock victim";
                if (attempt >= options.MaxAttempts)
                {
                    throw new MigrationException(
                        $"migration {migration.Id} {what} on each of {attempt} attempt(s) and was rolled back; another session holds a " +
                        "lock on a table it changes (a long-running query or an open transaction: see pg_stat_activity). " +
                        "Retry when it has finished, or raise --lock-timeout",
                        e);
                }

                var delay = options.DelayBeforeRetry(attempt);
                logger.LogWarning(
                    "Migration {MigrationId} {Problem} (attempt {Attempt} of {MaxAttempts}); rolled back, retrying in {DelayMs} ms",
                    migration.Id,
                    what,
                    attempt,
                    options.MaxAttempts,
                    (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async Task<AppliedMigration> ApplyAsync(
        NpgsqlConnection connection,
        Migration migration,
        TimeSpan lockTimeout,
        int attempt,
        CancellationToken cancellationToken)
    {
        logger.LogInformation("Applying migration {MigrationId}", migration.Id);
        var stopwatch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            var lockTimeoutSetting = ((long)Math.Ceiling(lockTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
            await connection.ExecuteAsync(new CommandDefinition(SetLockTimeoutSql, new { lockTimeout = lockTimeoutSetting }, transaction, cancellationToken: cancellationToken));
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction) { CommandTimeout = 0 })
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var executionMs = (int)Math.Min(int.MaxValue, stopwatch.ElapsedMilliseconds);
            await connection.ExecuteAsync(new CommandDefinition(
                RecordSql,
                new { id = migration.Id, checksum = migration.Checksum, executionMs },
                transaction,
                cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Applied migration {MigrationId} in {ElapsedMs} ms", migration.Id, executionMs);
            return new AppliedMigration(migration, executionMs, attempt);
        }
        catch (PostgresException e) when (e.SqlState is not (LockNotAvailable or DeadlockDetected))
        {
            throw new MigrationException($"migration {migration.Id} failed and was rolled back: {e.MessageText} (SQLSTATE {e.SqlState})", e);
        }
    }

    private static string FormatDuration(TimeSpan duration) => duration.TotalSeconds >= 1 && duration.Milliseconds == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0} ms");

    private async Task<IReadOnlyList<MigrationStatus>> ReadStatusAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(HistoryExistsSql, cancellationToken: cancellationToken));
        var history = exists
            ? (await connection.QueryAsync<HistoryRow>(new CommandDefinition(ReadHistorySql, cancellationToken: cancellationToken))).ToList()
            : [];

        var known = _migrations.ToDictionary(m => m.Id, StringComparer.Ordinal);
        var unknown = history.Where(row => !known.ContainsKey(row.Id)).Select(row => row.Id).ToList();
        if (unknown.Count > 0)
        {
            throw new MigrationException(
                $"the database has applied migration(s) this version of netbet does not know: {string.Join(", ", unknown)}; " +
                "it was migrated by a newer or different build. Known ids: " + string.Join(", ", _migrations.Select(m => m.Id)));
        }

        foreach (var row in history)
        {
            var migration = known[row.Id];
            if (!string.Equals(row.Checksum, migration.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                throw new MigrationException(
                    $"migration {row.Id} was applied with checksum {row.Checksum} but its script now has checksum {migration.Checksum}; " +
                    "applied migrations must never change: add a new migration instead");
            }
        }

        var applied = history.ToDictionary(row => row.Id, StringComparer.Ordinal);
        return [.. _migrations.Select(m => applied.TryGetValue(m.Id, out var row)
            ? new MigrationStatus(m, new DateTimeOffset(DateTime.SpecifyKind(row.AppliedAt, DateTimeKind.Utc)), row.ExecutionMs)
            : new MigrationStatus(m, null, null))];
    }

    private sealed class HistoryRow
    {
        public string Id { get; init; } = "";

        public string Checksum { get; init; } = "";

        public DateTime AppliedAt { get; init; }

        public int? ExecutionMs { get; init; }
    }
}
