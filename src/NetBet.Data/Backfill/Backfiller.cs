using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using Npgsql;
using NpgsqlTypes;
using NetBet.Data.State;

namespace NetBet.Data.Backfill;

/// <summary>
/// Fills NULL metric columns of <c>market_derived_metrics</c> from the stored raw payloads with the ingestion
/// engine, in keyset-ordered batches of one short transaction each. Never overwrites a non-NULL value, so a rerun
/// (after Ctrl-C or kill -9 too) resumes where the data says it stopped and ends in the same state.
/// </summary>
public sealed class Backfiller(NpgsqlDataSource dataSource, ILogger<Backfiller> logger)
{
    private const int MaxSkipExamples = 10;

    /// <summary>Runs a backfill, a dry run or a verify, as <paramref name="options"/> say.</summary>
    /// <param name="options">What to cover.</param>
    /// <param name="onBatch">Called after each batch (committed, or computed for dry run and verify).</param>
    /// <param name="cancellationToken">
    /// Stops the run between batches: the batch being written is finished, the one being read is dropped, and the
    /// result comes back with <see cref="BackfillResult.Interrupted"/> set.
    /// </param>
    /// <exception cref="UnknownColumnException">A chosen column is not a metric column or not migrated yet.</exception>
    public async Task<BackfillResult> RunAsync(BackfillOptions options, Action<BackfillProgress>? onBatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        var stopwatch = Stopwatch.StartNew();

        await using var readConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await MetricSchema.ExistingMetricColumnsAsync(readConnection, cancellationToken);
        var columns = MetricSchema.Resolve(options.Columns, existing);
        var result = new BackfillResult { Columns = columns };
        if (columns.Count == 0)
        {
            return result;
        }

        var sql = new BackfillSql(columns, options);
        var columnIndexes = columns.Select(MetricColumns.IndexOf).ToArray();

        // The total only feeds the progress lines, so it is counted on a connection of its own beside the first
        // batches instead of before them (a full-table count); lines wait for it, the work does not.
        var progress = new ProgressCounter(onBatch, result, stopwatch);
        var counting = CountAsync(sql, options, progress, cancellationToken);

        // Workers take units from one queue: months, or blocks of ids within months with several workers or a shard.
        var units = new ConcurrentQueue<BackfillSlice>(await BackfillSlice.UnitsAsync(readConnection, options, cancellationToken));
        var workers = options.Limit is null ? Math.Clamp(options.Workers, 1, Math.Max(1, units.Count)) : 1;
        var runs = new Task[workers];
        runs[0] = RunWorkerAsync(readConnection, sql, options, units, columnIndexes, result, progress, cancellationToken);
        for (var w = 1; w < workers; w++)
        {
            runs[w] = Task.Run(
                async () =>
                {
                    await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                    await RunWorkerAsync(connection, sql, options, units, columnIndexes, result, progress, cancellationToken);
                },
                CancellationToken.None);
        }

        try
        {
            await Task.WhenAll(runs);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A worker cancelled before its first batch: what the others committed is counted.
            result.Interrupted = true;
        }
        finally
        {
            if (!counting.IsCompleted)
            {
                await DrainQuietlyAsync(counting);
            }
        }

        try
        {
            await counting;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted before the count came back: the rows done are the total there is to report.
            progress.TotalKnown(result.Processed);
        }

        result.Elapsed = stopwatch.Elapsed;
        logger.LogInformation(
            "Backfill took {Seconds:F1} s: {ReadSeconds:F1} s waiting for reads, {ComputeSeconds:F1} s computing, {WriteSeconds:F1} s waiting for writes",
            result.Elapsed.TotalSeconds,
            result.ReadWait.TotalSeconds,
            result.ComputeTime.TotalSeconds,
            result.WriteTime.TotalSeconds);
        foreach (var (reason, count) in result.SkipReasons)
        {
            logger.LogInformation(
                "Skipped {Count} rows: {Reason} (snapshot ids such as {SnapshotIds})",
                count,
                reason,
                string.Join(", ", result.SkipExamples[reason]));
        }

        return result;
    }

    // One worker: its own read connection (given) and write connection with its temporary table.
    private async Task RunWorkerAsync(
        NpgsqlConnection readConnection,
        BackfillSql sql,
        BackfillOptions options,
        ConcurrentQueue<BackfillSlice> units,
        int[] columnIndexes,
        BackfillResult result,
        ProgressCounter progress,
        CancellationToken cancellationToken)
    {
        // The write connection and its temporary table are set up while the first batch is read and computed.
        var writes = !options.DryRun && !options.Verify;
        var writeConnection = writes ? OpenWriteConnectionAsync(sql, cancellationToken) : null;
        try
        {
            await RunBatchesAsync(readConnection, writeConnection, sql, options, units, columnIndexes, result, progress, cancellationToken);
        }
        finally
        {
            await CloseWriteConnectionAsync(writeConnection);
        }
    }

    private async Task<NpgsqlConnection> OpenWriteConnectionAsync(BackfillSql sql, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var create = new NpgsqlCommand(sql.CreateTemp, connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task CloseWriteConnectionAsync(Task<NpgsqlConnection>? opening)
    {
        if (opening is null)
        {
            return;
        }

        await DrainQuietlyAsync(opening);
        if (!opening.IsCompletedSuccessfully)
        {
            return; // never opened: nothing to drop (a failure that matters was awaited by the first write)
        }

        await using var connection = opening.Result;
        await using var drop = new NpgsqlCommand(BackfillSql.DropTemp, connection);
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task RunBatchesAsync(
        NpgsqlConnection readConnection,
        Task<NpgsqlConnection>? writeConnection,
        BackfillSql sql,
        BackfillOptions options,
        ConcurrentQueue<BackfillSlice> units,
        int[] columnIndexes,
        BackfillResult result,
        ProgressCounter progress,
        CancellationToken cancellationToken)
    {
        var remaining = options.Limit ?? long.MaxValue;
        var take = (int)Math.Min(options.BatchSize, remaining);
        units.TryDequeue(out var slice);
        var pending = take > 0 && slice is not null ? LoadAsync(readConnection, sql, options, slice, slice.StartAfter, take, cancellationToken) : null;

        // Three stages overlap: batch N+1 is read (database) and computed (here) while batch N is written
        // (database). A batch is counted only once its transaction committed.
        (List<BackfillRow> Batch, ComputedRow[] Computed, Task<long> Write)? writing = null;
        try
        {
            while (pending is not null)
            {
                var stage = Stopwatch.StartNew();
                var batch = await pending;
                var batchSlice = slice!;
                pending = null;
                progress.Add(() => result.ReadWait += stage.Elapsed);

                // A short batch ends its slice; the next read starts the next unit from its first key.
                remaining -= batch.Count;
                var nextTake = (int)Math.Min(options.BatchSize, remaining);
                var nextLast = batch.Count > 0 ? batch[^1].SnapshotId : long.MinValue;
                if (batch.Count < take)
                {
                    slice = units.TryDequeue(out var next) ? next : null;
                    nextLast = slice?.StartAfter ?? long.MinValue;
                }

                if (slice is not null && nextTake > 0 && !cancellationToken.IsCancellationRequested)
                {
                    pending = LoadAsync(readConnection, sql, options, slice, nextLast, nextTake, cancellationToken);
                }

                take = nextTake;
                if (batch.Count == 0)
                {
                    continue;
                }

                stage.Restart();
                var computed = BackfillCompute.ComputeBatch(batch, columnIndexes, cancellationToken);
                progress.Add(() => result.ComputeTime += stage.Elapsed);

                await FinishAsync();
                writing = (batch, computed, writeConnection is null
                    ? Task.FromResult(0L)
                    : WriteWithRetryAsync(writeConnection, sql, batchSlice, batch, computed)); // not cancellable: batches are short
                cancellationToken.ThrowIfCancellationRequested();
            }

            await FinishAsync();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // What is counted is committed; the batch being read or computed is dropped.
            progress.Add(() => result.Interrupted = true);
            await FinishAsync();
        }
        finally
        {
            // Never leave a read or write in flight on a connection that is about to be disposed.
            await DrainQuietlyAsync(pending);
            if (writing is { } inFlight)
            {
                await DrainQuietlyAsync(inFlight.Write);
            }
        }

        async Task FinishAsync()
        {
            if (writing is not { } done)
            {
                return;
            }

            writing = null;
            var stage = Stopwatch.StartNew();
            var updated = await done.Write;
            progress.Add(() =>
            {
                result.Updated += updated;
                result.WriteTime += stage.Elapsed;
                Tally(done.Batch, done.Computed, sql.Columns, options, result);
            });
            progress.Committed(done.Batch[^1].SnapshotId);
        }
    }

    // Two backfills over the same rows (or a future writer that updates them) can deadlock in the UPDATE; PostgreSQL
    // aborts one transaction, and the batch is simply written again.
    private async Task<long> WriteWithRetryAsync(Task<NpgsqlConnection> opening, BackfillSql sql, BackfillSlice slice, List<BackfillRow> batch, ComputedRow[] computed)
    {
        var connection = await opening;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteAsync(connection, sql, slice, batch, computed, CancellationToken.None);
            }
            catch (PostgresException e) when (attempt < 3 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                logger.LogWarning("Batch ending at snapshot {SnapshotId} hit {SqlState}; writing it again", batch[^1].SnapshotId, e.SqlState);
            }
        }
    }

    private static async Task DrainQuietlyAsync(Task? pending)
    {
        if (pending is null)
        {
            return;
        }

        try
        {
            await pending;
        }
#pragma warning disable CA1031 // The original failure is being rethrown; this read's own outcome no longer matters.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task CountAsync(BackfillSql sql, BackfillOptions options, ProgressCounter progress, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql.Count, connection);
        AddFilters(command, options);
        var total = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        progress.TotalKnown(options.Limit is { } cap ? Math.Min(total, cap) : total);
    }

    private static void AddFilters(NpgsqlCommand command, BackfillOptions options)
    {
        if (options.MarketId is { } market)
        {
            command.Parameters.AddWithValue("market", market);
        }

        if (options.From is { } from)
        {
            command.Parameters.AddWithValue("from", from.ToUniversalTime());
        }

        if (options.To is { } to)
        {
            command.Parameters.AddWithValue("to", to.ToUniversalTime());
        }
    }

    private static async Task<List<BackfillRow>> LoadAsync(
        NpgsqlConnection connection, BackfillSql sql, BackfillOptions options, BackfillSlice slice, long last, int take, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql.Load, connection);
        slice.AddParameters(command);
        slice.AddIdBound(command);
        command.Parameters.AddWithValue("last", last);
        command.Parameters.AddWithValue("batch", take);
        AddFilters(command, options);
        var rows = new List<BackfillRow>(take);
        var columnCount = sql.Columns.Count;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var stored = new double?[columnCount];
            for (var i = 0; i < columnCount; i++)
            {
                var ordinal = BackfillSql.FirstStoredOrdinal + i;
                stored[i] = reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);
            }

            rows.Add(new BackfillRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
                ReadRoles(reader),
                stored));
        }

        return rows;
    }

    private static RunnerRoles? ReadRoles(NpgsqlDataReader reader) =>
        reader.IsDBNull(4) || reader.IsDBNull(5) || reader.IsDBNull(6)
            ? null
            : new RunnerRoles(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));

    private static async Task<long> WriteAsync(
        NpgsqlConnection connection, BackfillSql sql, BackfillSlice slice, List<BackfillRow> batch, ComputedRow[] computed, CancellationToken cancellationToken)
    {
        if (!Array.Exists(computed, c => c.Outcome == BackfillOutcome.Computed))
        {
            return 0;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(sql.Copy, cancellationToken))
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (computed[i] is not { Outcome: BackfillOutcome.Computed, Values: { } values })
                {
                    continue;
                }

                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(batch[i].SnapshotId, NpgsqlDbType.Bigint, cancellationToken);
                foreach (var value in values)
                {
                    if (value is { } v)
                    {
                        await importer.WriteAsync(v, NpgsqlDbType.Double, cancellationToken);
                    }
                    else
                    {
                        await importer.WriteNullAsync(cancellationToken);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using var update = new NpgsqlCommand(sql.Update, connection, transaction);
        update.Parameters.AddWithValue("first", batch[0].SnapshotId);
        update.Parameters.AddWithValue("last", batch[^1].SnapshotId);
        slice.AddParameters(update);
        var updated = await update.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (updated > 0)
        {
            await HistoryGeneration.BumpAsync(connection, cancellationToken);
        }

        return updated;
    }

    private void Tally(List<BackfillRow> batch, ComputedRow[] computed, IReadOnlyList<string> columns, BackfillOptions options, BackfillResult result)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var row = batch[i];
            var answer = computed[i];
            result.Processed++;
            switch (answer.Outcome)
            {
                case BackfillOutcome.Error:
                    result.Errors++;
                    BackfillLog.UnreadablePayload(logger, row.SnapshotId, answer.Error!);
                    if (result.ErrorDetails.Count < BackfillResult.MaxDetails)
                    {
                        result.ErrorDetails.Add(new BackfillError(row.SnapshotId, answer.Error!));
                    }

                    break;
                case BackfillOutcome.Skipped:
                    result.Skipped++;
                    var reason = answer.Skip!.Value.Describe();
                    BackfillLog.SkippedRow(logger, row.SnapshotId, reason);
                    result.SkipReasons[reason] = result.SkipReasons.GetValueOrDefault(reason) + 1;
                    if (!result.SkipExamples.TryGetValue(reason, out var examples))
                    {
                        result.SkipExamples[reason] = examples = [];
                    }

                    if (examples.Count < MaxSkipExamples)
                    {
                        examples.Add(row.SnapshotId);
                    }

                    break;
                case BackfillOutcome.Computed when options.Verify:
                    CompareStored(row, answer.Values!, columns, result);
                    break;
                case BackfillOutcome.Computed when options.DryRun:
                    CountWouldFill(row, answer.Values!, columns, options, result);
                    break;
                default:
                    break; // written: Updated comes from the UPDATE's row count
            }
        }
    }

    private static void CountWouldFill(BackfillRow row, double?[] values, IReadOnlyList<string> columns, BackfillOptions options, BackfillResult result)
    {
        List<KeyValuePair<string, double>>? sample = result.Samples.Count < options.SampleRows ? [] : null;
        var fills = false;
        for (var c = 0; c < columns.Count; c++)
        {
            if (row.Stored[c] is null && values[c] is { } value)
            {
                fills = true;
                result.WouldFill[columns[c]] = result.WouldFill.GetValueOrDefault(columns[c]) + 1;
                sample?.Add(new(columns[c], value));
            }
        }

        if (fills)
        {
            result.Updated++;
            if (sample is not null)
            {
                result.Samples.Add(new BackfillSample(row.SnapshotId, row.MarketId, row.SnapshotAt, sample));
            }
        }
    }

    private void CompareStored(BackfillRow row, double?[] values, IReadOnlyList<string> columns, BackfillResult result)
    {
        for (var c = 0; c < columns.Count; c++)
        {
            if (row.Stored[c] is not { } stored)
            {
                continue;
            }

            result.Compared++;
            if (values[c] is { } engine && BackfillCompute.SameValue(stored, engine))
            {
                continue;
            }

            result.DriftCount++;
            BackfillLog.Drift(logger, row.SnapshotId, columns[c], stored, values[c]);
            if (result.Drift.Count < BackfillResult.MaxDetails)
            {
                result.Drift.Add(new BackfillDrift(row.SnapshotId, columns[c], stored, values[c]));
            }
        }
    }

    /// <summary>
    /// The one place workers touch the shared result: every update runs under one lock, and the progress callback
    /// sees batches numbered in commit order with the total processed by all workers.
    /// </summary>
    private sealed class ProgressCounter(Action<BackfillProgress>? onBatch, BackfillResult result, Stopwatch stopwatch)
    {
        private readonly Lock _lock = new();
        private readonly List<BackfillProgress> _waitingForTotal = [];
        private bool _totalKnown;
        private int _batches;

        public void Add(Action update)
        {
            lock (_lock)
            {
                update();
            }
        }

        /// <summary>
        /// Reports a committed batch: at once when the total is known, else when it is (with the processed count and
        /// elapsed time of the commit, so the rate is the batch's own).
        /// </summary>
        public void Committed(long lastSnapshotId)
        {
            lock (_lock)
            {
                var batch = new BackfillProgress(++_batches, result.Processed, result.Total, lastSnapshotId, stopwatch.Elapsed);
                if (_totalKnown)
                {
                    onBatch?.Invoke(batch);
                }
                else
                {
                    _waitingForTotal.Add(batch);
                }
            }
        }

        public void TotalKnown(long total)
        {
            lock (_lock)
            {
                result.Total = total;
                _totalKnown = true;
                foreach (var batch in _waitingForTotal)
                {
                    onBatch?.Invoke(batch with { Total = total });
                }

                _waitingForTotal.Clear();
            }
        }
    }
}
