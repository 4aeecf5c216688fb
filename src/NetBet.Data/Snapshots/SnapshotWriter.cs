using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Logging;
using NetBet.Core.Metrics;
using NetBet.Data.Partitions;
using Npgsql;
using NpgsqlTypes;
using NetBet.Data.State;

namespace NetBet.Data.Snapshots;

/// <summary>
/// Writes batches of metadata, snapshots and derived rows in one transaction with binary COPY. Snapshots go through
/// a temporary table and <c>INSERT ... ON CONFLICT (market_id, snapshot_at) DO NOTHING</c>, so a snapshot already
/// stored is skipped and counted, never an error; derived rows are written for the inserted snapshots only. Only the
/// metric columns the database has are written (a database not yet migrated past the base schema gets the others
/// later from backfill); the column list is read from information_schema and refreshed every minute. In the same
/// transaction each market's newest snapshot moves <c>market_latest_state</c> forward (never back to an older one).
/// </summary>
public sealed class SnapshotWriter(NpgsqlDataSource dataSource, ILogger<SnapshotWriter> logger)
{
    private static readonly TimeSpan SchemaLifetime = TimeSpan.FromMinutes(1);

    // Months whose partitions this writer created or found; cleared when an insert finds one gone.
    private readonly ConcurrentDictionary<PartitionMonth, byte> _knownMonths = new();

    private DerivedSchema? _schema;

    /// <summary>
    /// Says that committed writes changed history behind markets' newest snapshots (a historical import), so the web
    /// app's cached answers are not served again (<see cref="HistoryGeneration"/>).
    /// </summary>
    public async Task MarkHistoryChangedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await HistoryGeneration.BumpAsync(connection, cancellationToken);
    }

    /// <summary>Writes <paramref name="batch"/> in one transaction and returns what was stored and skipped.</summary>
    /// <exception cref="MissingMarketMetadataException">A snapshot's market has metadata neither in the batch nor stored.</exception>
    /// <exception cref="SchemaNotReadyException">The database has not been migrated.</exception>
    public async Task<SnapshotWriteResult> WriteAsync(SnapshotBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var metadata = MergeMetadata(batch.Metadata);
        var (snapshots, duplicatesInBatch) = DistinctSnapshots(batch.Snapshots);
        if (metadata.Count == 0 && snapshots.Count == 0)
        {
            return new SnapshotWriteResult(0, 0, duplicatesInBatch, 0);
        }

        try
        {
            var schema = await GetSchemaAsync(cancellationToken);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                return await WriteAsync(connection, schema, metadata, snapshots, duplicatesInBatch, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && snapshots.Count > 0)
            {
                // "no partition of relation found for row": a month this writer knew was archived and dropped since,
                // or the tables were partitioned while this writer ran. Forget what it knows and write the batch
                // once more, creating the months again.
                logger.LogInformation("A month partition this writer expected is missing ({Message}); creating it", e.MessageText);
                _knownMonths.Clear();
                _schema = null;
                schema = await GetSchemaAsync(cancellationToken);
                return await WriteAsync(connection, schema, metadata, snapshots, duplicatesInBatch, cancellationToken);
            }
        }
        catch (PostgresException e) when (SchemaNotReadyException.IsMissingObject(e))
        {
            _schema = null;
            throw SchemaNotReadyException.From(e);
        }
    }

    private async Task<SnapshotWriteResult> WriteAsync(
        NpgsqlConnection connection,
        DerivedSchema schema,
        List<MarketMetadata> metadata,
        List<SnapshotRecord> snapshots,
        int duplicatesInBatch,
        CancellationToken cancellationToken)
    {
        if (schema.Partitioned)
        {
            await EnsureMonthsAsync(connection, snapshots, cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (schema.HasLz4)
        {
            // lz4 compresses the raw payloads several times faster than the default pglz, for a similar size.
            await ExecuteAsync(connection, "set local default_toast_compression = 'lz4'", cancellationToken);
        }

        await EnsureMetadataExistsAsync(connection, metadata, snapshots, cancellationToken);
        var metadataUpserted = metadata.Count == 0 ? 0 : await UpsertMetadataAsync(connection, metadata, cancellationToken);
        var (inserted, derived) = snapshots.Count == 0 ? (0, 0) : await InsertSnapshotsAsync(connection, schema, snapshots, cancellationToken);
        if (inserted > 0 && !schema.HasLatestState && await LatestStateSql.ExistsAsync(connection, cancellationToken))
        {
            // Asked after the insert, which waited for the migration's lock on the snapshots if it was running: the
            // table is there now, and the migration's fill could not see this batch.
            await ExecuteAsync(connection, SnapshotSql.UpsertLatestFromBatch, cancellationToken);
            _schema = null;
        }

        await transaction.CommitAsync(cancellationToken);

        var result = new SnapshotWriteResult(metadataUpserted, inserted, duplicatesInBatch + snapshots.Count - inserted, derived);
        logger.LogDebug(
            "Stored {Snapshots} snapshots ({Duplicates} duplicates), {Derived} derived rows, {Metadata} metadata rows",
            result.SnapshotsInserted,
            result.DuplicateSnapshots,
            result.DerivedRowsInserted,
            result.MetadataUpserted);
        return result;
    }

    // Before the batch's transaction, in one of its own: see MonthPartitions.EnsureAsync. The month after the current
    // one is created too, so the partition a live poller needs at midnight on the 1st is already there and the
    // exclusive lock creating it takes is not waited for on the hot path.
    private async Task EnsureMonthsAsync(NpgsqlConnection connection, List<SnapshotRecord> snapshots, CancellationToken cancellationToken)
    {
        var current = PartitionMonth.Of(DateTimeOffset.UtcNow);
        var months = new HashSet<PartitionMonth>();
        foreach (var snapshot in snapshots)
        {
            var month = PartitionMonth.Of(snapshot.SnapshotAt);
            if (!_knownMonths.ContainsKey(month))
            {
                months.Add(month);
                if (month == current && !_knownMonths.ContainsKey(month.Next()))
                {
                    months.Add(month.Next());
                }
            }
        }

        if (months.Count == 0)
        {
            return;
        }

        var created = await MonthPartitions.EnsureAsync(connection, months, cancellationToken);
        if (created > 0)
        {
            logger.LogInformation("Created the partitions of {Count} month(s) among {Months}", created, string.Join(", ", months.Order()));
        }

        foreach (var month in months)
        {
            _knownMonths[month] = 0;
        }
    }

    /// <summary>The metric columns of <c>market_derived_metrics</c> this writer fills, in canonical order.</summary>
    public async Task<IReadOnlyList<string>> GetMetricColumnsAsync(CancellationToken cancellationToken) =>
        (await GetSchemaAsync(cancellationToken)).Columns.Select(i => MetricColumns.Names[i]).ToList();

    /// <summary>Forgets the cached column list, e.g. right after a migration added columns.</summary>
    public void RefreshSchema() => _schema = null;

    private async Task<DerivedSchema> GetSchemaAsync(CancellationToken cancellationToken)
    {
        var schema = _schema;
        if (schema is not null && Environment.TickCount64 - schema.LoadedAtMs < SchemaLifetime.TotalMilliseconds)
        {
            return schema;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var names = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            select column_name from information_schema.columns
            where table_schema = current_schema() and table_name = 'market_derived_metrics'
            """,
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0)
        {
            throw new SchemaNotReadyException("the database has no market_derived_metrics table: run 'netbet migrate'");
        }

        var columns = Enumerable.Range(0, MetricColumns.Count).Where(i => names.Contains(MetricColumns.Names[i])).ToArray();
        if (columns.Length < MetricColumns.Count)
        {
            logger.LogInformation(
                "market_derived_metrics lacks {Missing} of the {Total} metric columns; they stay NULL until the database is migrated and backfilled",
                MetricColumns.Count - columns.Length,
                MetricColumns.Count);
        }

        var hasLz4 = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select coalesce((select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression'), false)",
            cancellationToken: cancellationToken));
        var partitioned = await MonthPartitions.IsPartitionedAsync(connection, cancellationToken);
        var hasLatestState = await LatestStateSql.ExistsAsync(connection, cancellationToken);
        schema = new DerivedSchema(columns, hasLz4, partitioned, hasLatestState, Environment.TickCount64);
        _schema = schema;
        return schema;
    }

    private static List<MarketMetadata> MergeMetadata(IReadOnlyList<MarketMetadata> rows)
    {
        var byMarket = new Dictionary<string, MarketMetadata>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var row in rows)
        {
            ArgumentException.ThrowIfNullOrEmpty(row.MarketId, nameof(MarketMetadata.MarketId));
            if (byMarket.TryGetValue(row.MarketId, out var earlier))
            {
                byMarket[row.MarketId] = earlier.MergeLater(row);
            }
            else
            {
                byMarket[row.MarketId] = row;
                order.Add(row.MarketId);
            }
        }

        return [.. order.Select(id => byMarket[id])];
    }

    private static (List<SnapshotRecord> Distinct, int Duplicates) DistinctSnapshots(IReadOnlyList<SnapshotRecord> rows)
    {
        var seen = new HashSet<(string, long)>();
        var distinct = new List<SnapshotRecord>(rows.Count);
        foreach (var row in rows)
        {
            ArgumentException.ThrowIfNullOrEmpty(row.MarketId, nameof(SnapshotRecord.MarketId));
            if (row.Derived is { } derived && derived.MarketId != row.MarketId)
            {
                throw new ArgumentException(
                    $"the derived row of snapshot {row.MarketId} at {row.SnapshotAt:O} belongs to market {derived.MarketId}", nameof(rows));
            }

            if (seen.Add((row.MarketId, Microseconds(row.SnapshotAt))))
            {
                distinct.Add(row);
            }
        }

        return (distinct, rows.Count - distinct.Count);
    }

    private static long Microseconds(DateTimeOffset time) => time.UtcTicks / 10;

    private static DateTime Utc(DateTimeOffset time) => new(time.UtcTicks - (time.UtcTicks % 10), DateTimeKind.Utc);

    private static async Task EnsureMetadataExistsAsync(
        NpgsqlConnection connection,
        List<MarketMetadata> metadata,
        List<SnapshotRecord> snapshots,
        CancellationToken cancellationToken)
    {
        var inBatch = metadata.Select(m => m.MarketId).ToHashSet(StringComparer.Ordinal);
        var others = snapshots.Select(s => s.MarketId).Where(id => !inBatch.Contains(id)).Distinct(StringComparer.Ordinal).ToArray();
        if (others.Length == 0)
        {
            return;
        }

        var stored = (await connection.QueryAsync<string>(new CommandDefinition(
            "select market_id from market_event_metadata where market_id = any(@others)",
            new { others },
            cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        var missing = others.Where(id => !stored.Contains(id)).ToList();
        if (missing.Count > 0)
        {
            throw new MissingMarketMetadataException(missing);
        }
    }

    private static async Task<int> UpsertMetadataAsync(NpgsqlConnection connection, List<MarketMetadata> rows, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, SnapshotSql.CreateMetadataTemp, cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(SnapshotSql.CopyMetadata, cancellationToken))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(row.MarketId, NpgsqlDbType.Text, cancellationToken);
                await WriteAsync(importer, row.MarketName, cancellationToken);
                await WriteAsync(importer, row.MarketStartTime, cancellationToken);
                await WriteAsync(importer, row.SportId, cancellationToken);
                await WriteAsync(importer, row.SportName, cancellationToken);
                await WriteAsync(importer, row.EventId, cancellationToken);
                await WriteAsync(importer, row.EventName, cancellationToken);
                await WriteAsync(importer, row.EventOpenDate, cancellationToken);
                await WriteAsync(importer, row.CountryCode, cancellationToken);
                await WriteAsync(importer, row.CompetitionId, cancellationToken);
                await WriteAsync(importer, row.CompetitionName, cancellationToken);
                await WriteAsync(importer, row.Timezone, cancellationToken);
                await WriteAsync(importer, row.HomeSelectionId, cancellationToken);
                await WriteAsync(importer, row.AwaySelectionId, cancellationToken);
                await WriteAsync(importer, row.DrawSelectionId, cancellationToken);
                await WriteAsync(importer, row.HomeRunnerName, cancellationToken);
                await WriteAsync(importer, row.AwayRunnerName, cancellationToken);
                await WriteAsync(importer, row.DrawRunnerName, cancellationToken);
                await WriteAsync(importer, row.SeenAt, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        return await ExecuteAsync(connection, SnapshotSql.UpsertMetadata, cancellationToken);
    }

    private static async Task<(int Inserted, int Derived)> InsertSnapshotsAsync(
        NpgsqlConnection connection,
        DerivedSchema schema,
        List<SnapshotRecord> rows,
        CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, SnapshotSql.CreateSnapshotTemp, cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(SnapshotSql.CopySnapshots, cancellationToken))
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(row.MarketId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(Utc(row.SnapshotAt), NpgsqlDbType.TimestampTz, cancellationToken);
                if (row.RawPayload is null)
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await importer.WriteAsync(row.RawPayload, NpgsqlDbType.Jsonb, cancellationToken);
                }

                await WriteAsync(importer, row.TotalMatched, cancellationToken);
                if (row.Inplay is { } inplay)
                {
                    await importer.WriteAsync(inplay, NpgsqlDbType.Boolean, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }

                await WriteAsync(importer, row.Status, cancellationToken);
                if (row.DepthLimit is { } depthLimit)
                {
                    await importer.WriteAsync(depthLimit, NpgsqlDbType.Integer, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }

                await WriteAsync(importer, row.Source, cancellationToken);
                await WriteAsync(importer, row.CaptureVersion, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        var withDerived = rows.Where(r => r.Derived is not null).ToList();
        if (withDerived.Count == 0)
        {
            return schema.HasLatestState
                ? ((int)await ScalarAsync<long>(connection, SnapshotSql.InsertSnapshotsWithLatest, cancellationToken), 0)
                : (await ExecuteAsync(connection, SnapshotSql.InsertSnapshots, cancellationToken), 0);
        }

        var columnNames = schema.Columns.Select(i => MetricColumns.Names[i]).ToList();
        await ExecuteAsync(connection, SnapshotSql.CreateDerivedTemp(columnNames), cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(SnapshotSql.CopyDerived(columnNames), cancellationToken))
        {
            foreach (var row in withDerived)
            {
                var derived = row.Derived!;
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(row.MarketId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(Utc(row.SnapshotAt), NpgsqlDbType.TimestampTz, cancellationToken);
                foreach (var index in schema.Columns)
                {
                    await WriteAsync(importer, derived[index], cancellationToken);
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(SnapshotSql.InsertSnapshotsAndDerived(columnNames, schema.HasLatestState), connection);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = MetricColumns.DepthLimit });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = MetricColumns.CalculationVersion });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static Task WriteAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, double? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Double, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, long? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Bigint, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteAsync(NpgsqlBinaryImporter importer, DateTimeOffset? value, CancellationToken cancellationToken) =>
        value is { } v ? importer.WriteAsync(Utc(v), NpgsqlDbType.TimestampTz, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    // Columns: indexes into MetricColumns.Names of the metric columns the table has. HasLz4: the server was built with lz4.
    // Partitioned: the tables are partitioned by month (migrated past 2026-11-30_partition_by_month).
    // HasLatestState: market_latest_state exists (migrated past 2026-12-01_add_market_latest_state); it never goes away.
    private sealed record DerivedSchema(int[] Columns, bool HasLz4, bool Partitioned, bool HasLatestState, long LoadedAtMs);
}
