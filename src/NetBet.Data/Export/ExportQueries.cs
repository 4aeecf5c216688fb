using System.Data;
using System.Runtime.CompilerServices;
using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Queries;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.Export;

/// <summary>
/// Reads the snapshots of an <see cref="ExportSelection"/> in (market_id, snapshot_at) order, one row at a time:
/// Npgsql's data reader takes rows off the socket as the server sends them and the server waits while the client
/// writes, so memory stays flat however many rows the export has. One query, one consistent view of the data.
/// </summary>
public sealed class ExportQueries(NpgsqlDataSource dataSource)
{
    // The filter of every export, on market_book_snapshots s. Npgsql plans each run with its values, so the
    // "is null" branches fold away and the (market_id, snapshot_at) index serves market and window filters.
    private static readonly string Filter = $$"""
        (@market_ids::text[] is null or s.market_id = any(@market_ids))
          and (@league::text is null or s.market_id in (select m.market_id from market_event_metadata m where {{MetricSql.LeagueKey}} = @league))
          and s.snapshot_at >= coalesce(@from, '-infinity'::timestamptz)
          and s.snapshot_at < coalesce(@to, 'infinity'::timestamptz)
        """;

    // With a bucket, the last snapshot of each (market, bucket), chosen as the API's timeseries chooses it.
    private static readonly string BucketedSnapshots = $$"""
        (select distinct on (s.market_id, {{MetricSql.SnapshotBucket}}) s.*
         from market_book_snapshots s
         where {{Filter}}
         order by s.market_id, {{MetricSql.SnapshotBucket}}, s.snapshot_at desc) s
        """;

    private const string SnapshotColumns = """
        s.market_id, s.snapshot_id, s.snapshot_at, s.inplay, s.status, s.total_matched,
        m.market_name, m.event_name, m.competition_name, m.market_start_time,
        m.home_runner_name, m.away_runner_name, m.draw_runner_name
        """;

    private const int MetricOrdinal = 13;

    private static readonly string SnapshotsSql = SnapshotsQuery(bucketed: false);
    private static readonly string BucketedSnapshotsSql = SnapshotsQuery(bucketed: true);
    private static readonly string LaddersSql = LaddersQuery(bucketed: false);
    private static readonly string BucketedLaddersSql = LaddersQuery(bucketed: true);

    /// <summary>
    /// The selected snapshots with their market's names and metrics, oldest first per market, markets by id. The
    /// same <see cref="SnapshotExportRow"/> instance is yielded each time, refilled.
    /// </summary>
    /// <param name="selection">What to read.</param>
    /// <param name="counters">Counts snapshots and rows as they are read.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async IAsyncEnumerable<SnapshotExportRow> ReadSnapshotsAsync(
        ExportSelection selection,
        ExportCounters counters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var row = new SnapshotExportRow();
        string? market = null;
        await foreach (var reader in ReadAsync(selection, SnapshotsSql, BucketedSnapshotsSql, cancellationToken))
        {
            // A market's rows share one string per value: the Parquet row group and the CSV batches hold the rows a
            // while, and a fresh copy each would be promoted to the old generation, whose garbage then grows with the
            // export until a full collection (the peak memory grew with the row count).
            var marketId = reader.GetString(0);
            var sameMarket = marketId == market;
            market = row.MarketId = sameMarket ? market! : marketId;
            row.SnapshotId = reader.GetInt64(1);
            row.SnapshotAt = reader.GetFieldValue<DateTimeOffset>(2);
            row.Inplay = reader.GetFieldValue<bool?>(3);
            var status = NullableString(reader, 4);
            row.Status = status == row.Status ? row.Status : status;
            row.TotalMatched = reader.GetFieldValue<double?>(5);
            if (!sameMarket)
            {
                // The market's own columns (joined on market_id) only change with the market.
                row.MarketName = NullableString(reader, 6);
                row.EventName = NullableString(reader, 7);
                row.CompetitionName = NullableString(reader, 8);
                row.MarketStartTime = reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9);
                row.HomeRunnerName = NullableString(reader, 10);
                row.AwayRunnerName = NullableString(reader, 11);
                row.DrawRunnerName = NullableString(reader, 12);
            }

            for (var i = 0; i < MetricColumns.Count; i++)
            {
                // One call per value (a NULL comes back as null): half the column lookups of IsDBNull then GetDouble.
                row.Metrics[i] = reader.GetFieldValue<double?>(MetricOrdinal + i);
            }

            counters.AddSnapshot();
            counters.AddRows(1);
            yield return row;
        }
    }

    /// <summary>
    /// Every ladder level (<see cref="BookLadder.Levels"/>, traded volume included) of the selected snapshots' raw
    /// payloads, in snapshot order. A payload that cannot be read gives no rows and is counted in
    /// <paramref name="counters"/>; the export goes on.
    /// </summary>
    /// <param name="selection">What to read.</param>
    /// <param name="counters">Counts snapshots, rows and unreadable payloads.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async IAsyncEnumerable<LadderExportRow> ReadLaddersAsync(
        ExportSelection selection,
        ExportCounters counters,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var row = new LadderExportRow();
        var buffer = new byte[64 * 1024];
        await foreach (var reader in ReadAsync(selection, LaddersSql, BucketedLaddersSql, cancellationToken))
        {
            counters.AddSnapshot();
            var marketId = reader.GetString(0);
            row.MarketId = marketId == row.MarketId ? row.MarketId : marketId; // one string per market, as above
            row.SnapshotId = reader.GetInt64(1);
            row.SnapshotAt = reader.GetFieldValue<DateTimeOffset>(2);
            if (reader.IsDBNull(3))
            {
                counters.AddUnreadable($"snapshot {row.SnapshotId}: no raw payload");
                continue;
            }

            var json = reader.GetString(3);
            if (Encoding.UTF8.GetMaxByteCount(json.Length) > buffer.Length)
            {
                buffer = new byte[Encoding.UTF8.GetMaxByteCount(json.Length)];
            }

            var length = Encoding.UTF8.GetBytes(json, buffer);
            MarketBook book;
            try
            {
                book = MarketBookReader.Read(buffer.AsSpan(0, length), includeTradedVolume: true);
            }
            catch (MarketBookFormatException e)
            {
                counters.AddUnreadable($"snapshot {row.SnapshotId}: {e.Message}");
                continue;
            }

            RunnerRoles? roles = reader.IsDBNull(4) || reader.IsDBNull(5) || reader.IsDBNull(6)
                ? null
                : new RunnerRoles(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
            foreach (var level in BookLadder.Levels(book, roles))
            {
                row.Level = level;
                counters.AddRows(1);
                yield return row;
            }
        }
    }

    /// <summary>
    /// What the selection names that does not exist: the first unknown market id, or the league key when no market
    /// has it, as a short description such as <c>market 1.2</c>; null when everything named exists.
    /// </summary>
    /// <param name="selection">The selection.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<string?> FindUnknownAsync(ExportSelection selection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(UnknownSql, connection);
        command.Parameters.Add(DbReading.Parameter("market_ids", NpgsqlDbType.Array | NpgsqlDbType.Text, selection.MarketIds?.ToArray() ?? []));
        command.Parameters.Add(DbReading.Parameter("league", NpgsqlDbType.Text, selection.League));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static readonly string UnknownSql = $$"""
        select coalesce(
          (select 'market ' || id from unnest(@market_ids::text[]) with ordinality u(id, n)
           where not exists (select 1 from market_event_metadata m where m.market_id = u.id) order by n limit 1),
          (select 'league ' || @league::text where @league::text is not null
             and not exists (select 1 from market_event_metadata m where {{MetricSql.LeagueKey}} = @league)))
        """;

    // The reader positioned on each row in turn; one connection and one query for the whole export.
    private async IAsyncEnumerable<NpgsqlDataReader> ReadAsync(
        ExportSelection selection, string sql, string bucketedSql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selection);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Rows go out in (market_id, snapshot_at) order, the primary keys' order: one process merging the tables'
        // key indexes streams them without sorting. Parallel workers would hash-join and sort the whole selection
        // first, spilling to disk (1M snapshots: 3.3 s across three processes against 1.2 s in one), so the query
        // runs in a transaction that plans without them (it only reads; disposing it rolls it back).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var serial = new NpgsqlCommand("set local max_parallel_workers_per_gather = 0", connection, transaction))
        {
            await serial.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = CreateCommand(connection, selection.Bucket is null ? sql : bucketedSql, selection);
        command.Transaction = transaction;
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return reader;
        }
    }

    private static NpgsqlCommand CreateCommand(NpgsqlConnection connection, string sql, ExportSelection selection)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.Parameters.Add(DbReading.Parameter("market_ids", NpgsqlDbType.Array | NpgsqlDbType.Text, selection.MarketIds?.ToArray()));
        command.Parameters.Add(DbReading.Parameter("league", NpgsqlDbType.Text, selection.League));
        command.Parameters.Add(DbReading.Timestamp("from", selection.Window.From));
        command.Parameters.Add(DbReading.Timestamp("to", selection.Window.To));
        if (selection.Bucket is { } bucket)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bucket, TimeSpan.Zero);
            command.Parameters.Add(DbReading.Parameter("bucket", NpgsqlDbType.Interval, bucket));
        }

        return command;
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string Source(bool bucketed) => bucketed ? BucketedSnapshots : "market_book_snapshots s";

    private static string Where(bool bucketed) => bucketed ? "" : $"where {Filter}";

    private static string SnapshotsQuery(bool bucketed) => $"""
        select {SnapshotColumns},
               {string.Join(", ", MetricColumns.Names.Select(name => "d." + name))}
        from {Source(bucketed)}
        join market_event_metadata m on m.market_id = s.market_id
        left join market_derived_metrics d on d.market_id = s.market_id and d.snapshot_at = s.snapshot_at
        {Where(bucketed)}
        order by s.market_id, s.snapshot_at
        """;

    private static string LaddersQuery(bool bucketed) => $"""
        select s.market_id, s.snapshot_id, s.snapshot_at, s.raw_payload::text,
               m.home_selection_id, m.away_selection_id, m.draw_selection_id
        from {Source(bucketed)}
        join market_event_metadata m on m.market_id = s.market_id
        {Where(bucketed)}
        order by s.market_id, s.snapshot_at
        """;
}
