namespace NetBet.Data.Migrations;

/// <summary>One migration as the database sees it.</summary>
/// <param name="Migration">The embedded migration.</param>
/// <param name="AppliedAt">When it was applied; null while pending.</param>
/// <param name="ExecutionMs">How long it took to apply, when recorded.</param>
public sealed record MigrationStatus(Migration Migration, DateTimeOffset? AppliedAt, int? ExecutionMs)
{
    /// <summary>Whether the database has applied this migration.</summary>
    public bool IsApplied => AppliedAt is not null;

    /// <summary>
    /// One status line: id, applied or pending, applied time (UTC) or <c>-</c>, and the first 12 hex digits of the
    /// checksum, e.g. <c>2026-02-06_base_schema  applied  2026-11-26 10:15:02Z  5f0c2d7e91ab</c>.
    /// </summary>
    public string Describe(int idWidth = 0) => string.Join(
        "  ",
        Migration.Id.PadRight(idWidth),
        IsApplied ? "applied" : "pending",
        AppliedAt is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture) : "-".PadRight(20),
        Migration.ShortChecksum);
}

/// <summary>A migration applied by <see cref="MigrationRunner.MigrateAsync"/>.</summary>
/// <param name="Migration">The migration.</param>
/// <param name="ExecutionMs">Milliseconds spent running its script and recording it (the successful attempt).</param>
/// <param name="Attempts">Attempts it took: 1, or more when earlier ones hit the lock timeout and were rolled back.</param>
public sealed record AppliedMigration(Migration Migration, int ExecutionMs, int Attempts = 1);

/// <summary>What <see cref="MigrationRunner.MigrateAsync"/> did, or would do on a dry run.</summary>
/// <param name="Before">Every migration's status before the run.</param>
/// <param name="Planned">The pending migrations the run selected, in apply order.</param>
/// <param name="Applied">The migrations actually applied (empty on a dry run).</param>
/// <param name="DryRun">Whether nothing was applied on purpose.</param>
public sealed record MigrationReport(
    IReadOnlyList<MigrationStatus> Before,
    IReadOnlyList<Migration> Planned,
    IReadOnlyList<AppliedMigration> Applied,
    bool DryRun);

/// <summary>
/// The database's migration history cannot be reconciled with the embedded migrations (a changed script, an
/// unknown applied id, an unknown target, a pending migration out of order), or a migration failed (its lock
/// timeout included, after the retries). The message says which id and why.
/// </summary>
public sealed class MigrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MigrationException()
    {
    }

    /// <summary>Creates the exception with a message naming the migration and the problem.</summary>
    public MigrationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public MigrationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
