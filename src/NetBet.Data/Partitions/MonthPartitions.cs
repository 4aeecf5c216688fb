using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Partitions;

/// <summary>One month's partitions as <c>netbet partitions list</c> shows them.</summary>
/// <param name="Month">The month.</param>
/// <param name="SnapshotRows">Rows of <c>market_book_snapshots</c> in the month.</param>
/// <param name="DerivedRows">Rows of <c>market_derived_metrics</c> in the month.</param>
/// <param name="Bytes">Size on disk of both months' partitions with their indexes and TOAST.</param>
public sealed record PartitionInfo(PartitionMonth Month, long SnapshotRows, long DerivedRows, long Bytes);

/// <summary>
/// The monthly partitions of the two big tables: creating months ahead of time or on demand (through the database
/// function <c>netbet_ensure_month</c>, which serialises concurrent callers), and listing them.
/// </summary>
public sealed class MonthPartitions(NpgsqlDataSource dataSource)
{
    /// <summary>The partitioned tables, parents first: a derived month refers to its snapshot month.</summary>
    public static IReadOnlyList<string> Tables { get; } = ["market_book_snapshots", "market_derived_metrics"];

    // One statement, so one short transaction of its own: creating a partition holds an exclusive lock on the parent
    // table until commit, which must not last as long as a writer's batch.
    private const string EnsureSql = "select count(*) filter (where netbet_ensure_month(m)) from unnest(@months) m";

    /// <summary>How long creating a month waits for the parent tables' lock before the write fails.</summary>
    public static TimeSpan EnsureLockTimeout { get; } = TimeSpan.FromSeconds(5);

    private const string IsPartitionedSql = """
        select exists (select 1 from pg_partitioned_table where partrelid = to_regclass('market_book_snapshots'))
        """;

    private const string PartitionNamesSql = """
        select c.relname
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        where i.inhparent = to_regclass(@parent)
        """;

    /// <summary>Whether <c>market_book_snapshots</c> is partitioned (the database is migrated past <c>2026-11-30_partition_by_month</c>).</summary>
    public static async Task<bool> IsPartitionedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(IsPartitionedSql, connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Creates the months that are missing, in its own transaction; returns how many months it created.</summary>
    /// <param name="connection">An open connection not inside a transaction.</param>
    /// <param name="months">The months; duplicates are fine.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public static async Task<int> EnsureAsync(NpgsqlConnection connection, IEnumerable<PartitionMonth> months, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var starts = months.Distinct().Order().Select(m => m.Start.UtcDateTime).ToArray();
        if (starts.Length == 0)
        {
            return 0;
        }

        // A writer must not queue behind a long reader for the parent's exclusive lock (and every later writer
        // behind it): after the lock timeout the write fails, the poller's spool keeps the batch, and a later tick
        // creates the month.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var timeout = new NpgsqlCommand($"set local lock_timeout = '{(int)EnsureLockTimeout.TotalMilliseconds}ms'", connection, transaction))
        {
            await timeout.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(EnsureSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter("months", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = starts });
        var created = (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return created;
    }

    /// <summary>The months that have a <c>market_book_snapshots</c> partition, oldest first; empty when the table is not partitioned.</summary>
    public static async Task<IReadOnlyList<PartitionMonth>> ListMonthsAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        [.. (await PartitionNamesAsync(connection, Tables[0], cancellationToken)).Keys.Order()];

    /// <summary>Creates every month from <paramref name="from"/> to <paramref name="to"/> (both included) that is missing.</summary>
    /// <returns>Every month of the range with whether this call created it.</returns>
    /// <exception cref="SchemaNotReadyException">The tables are not partitioned yet.</exception>
    public async Task<IReadOnlyList<(PartitionMonth Month, bool Created)>> EnsureRangeAsync(
        PartitionMonth from, PartitionMonth to, CancellationToken cancellationToken)
    {
        if (from > to)
        {
            throw new ArgumentException($"the range {from} .. {to} is empty: --from is after --to", nameof(from));
        }

        await using var connection = await OpenPartitionedAsync(cancellationToken);
        var before = (await ListMonthsAsync(connection, cancellationToken)).ToHashSet();
        var months = PartitionMonth.Range(from, to).ToList();
        await EnsureAsync(connection, months, cancellationToken);
        return [.. months.Select(m => (m, !before.Contains(m)))];
    }

    /// <summary>Every month with a partition in either table, oldest first, with exact row counts and size on disk.</summary>
    /// <exception cref="SchemaNotReadyException">The tables are not partitioned yet.</exception>
    public async Task<IReadOnlyList<PartitionInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenPartitionedAsync(cancellationToken);
        var snapshots = await PartitionNamesAsync(connection, Tables[0], cancellationToken);
        var derived = await PartitionNamesAsync(connection, Tables[1], cancellationToken);
        var result = new List<PartitionInfo>();
        foreach (var month in snapshots.Keys.Union(derived.Keys).Order())
        {
            var snapshotRows = snapshots.TryGetValue(month, out var s) ? await CountAsync(connection, s, cancellationToken) : 0;
            var derivedRows = derived.TryGetValue(month, out var d) ? await CountAsync(connection, d, cancellationToken) : 0;
            var bytes = await SizeAsync(connection, s, cancellationToken) + await SizeAsync(connection, d, cancellationToken);
            result.Add(new PartitionInfo(month, snapshotRows, derivedRows, bytes));
        }

        return result;
    }

    /// <summary>Opens a connection, or throws when the tables are not partitioned.</summary>
    internal async Task<NpgsqlConnection> OpenPartitionedAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await IsPartitionedAsync(connection, cancellationToken))
        {
            await connection.DisposeAsync();
            throw new SchemaNotReadyException("market_book_snapshots is not partitioned by month yet: run 'netbet migrate'");
        }

        return connection;
    }

    /// <summary>The month partitions of <paramref name="parent"/> by month; partitions with other names are left out.</summary>
    internal static async Task<Dictionary<PartitionMonth, string>> PartitionNamesAsync(
        NpgsqlConnection connection, string parent, CancellationToken cancellationToken)
    {
        var names = new Dictionary<PartitionMonth, string>();
        await using var command = new NpgsqlCommand(PartitionNamesSql, connection);
        command.Parameters.AddWithValue("parent", parent);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            if (name.StartsWith(parent + "_", StringComparison.Ordinal) && PartitionMonth.FromSuffix(name[(parent.Length + 1)..]) is { } month)
            {
                names[month] = name;
            }
        }

        return names;
    }

    // The names come from the catalog and matched <parent>_yYYYYmMM, so they are safe to splice.
    private static async Task<long> CountAsync(NpgsqlConnection connection, string partition, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {partition}", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> SizeAsync(NpgsqlConnection connection, string? partition, CancellationToken cancellationToken)
    {
        if (partition is null)
        {
            return 0;
        }

        await using var command = new NpgsqlCommand("select pg_total_relation_size(to_regclass(@name))", connection);
        command.Parameters.AddWithValue("name", partition);
        return await command.ExecuteScalarAsync(cancellationToken) is long bytes ? bytes : 0;
    }
}
