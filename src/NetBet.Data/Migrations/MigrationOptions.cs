namespace NetBet.Data.Migrations;

/// <summary>How <see cref="MigrationRunner.MigrateAsync(string?, bool, MigrationOptions, Action{AppliedMigration}?, CancellationToken)"/> applies migrations.</summary>
public sealed record MigrationOptions
{
    /// <summary>The default <see cref="LockTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default <see cref="MaxAttempts"/>: the first try and four retries.</summary>
    public const int DefaultMaxAttempts = 5;

    /// <summary>The defaults: 5 s lock timeout, 5 attempts, 1 s first retry delay, in order only.</summary>
    public static MigrationOptions Default { get; } = new();

    /// <summary>
    /// How long one migration may wait for a table lock (PostgreSQL's <c>lock_timeout</c>, set per transaction). While
    /// an <c>ALTER TABLE</c> waits for its lock, every writer of that table queues behind it; giving up after this
    /// long and retrying later bounds how long the poller's inserts can stall. Must be positive (1 ms resolution).
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = DefaultLockTimeout;

    /// <summary>Attempts per migration when it hits the lock timeout or a deadlock (at least 1).</summary>
    public int MaxAttempts { get; init; } = DefaultMaxAttempts;

    /// <summary>The pause before the first retry; each later retry doubles it, capped at <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between two attempts.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Apply a pending migration whose id sorts before the newest applied one (Flyway's <c>outOfOrder</c>). Off by
    /// default: such a migration usually comes from a branch merged late, and its author assumed an older schema.
    /// </summary>
    public bool AllowOutOfOrder { get; init; }

    /// <summary>The pause before retry number <paramref name="retry"/> (1-based).</summary>
    internal TimeSpan DelayBeforeRetry(int retry)
    {
        var delay = RetryDelay;
        for (var i = 1; i < retry && delay < MaxRetryDelay; i++)
        {
            delay *= 2;
        }

        return delay < MaxRetryDelay ? delay : MaxRetryDelay;
    }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(LockTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(RetryDelay.Ticks);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay);
    }
}
