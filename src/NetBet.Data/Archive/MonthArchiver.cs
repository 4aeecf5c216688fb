using System.IO.Compression;
using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Logging;
using NetBet.Data.Partitions;
using NetBet.Data.Snapshots;
using Npgsql;
using NetBet.Data.State;

namespace NetBet.Data.Archive;

/// <summary>A month written to files and dropped by <see cref="MonthArchiver.ArchiveAsync"/>.</summary>
/// <param name="Month">The month.</param>
/// <param name="Directory">Where its files are.</param>
/// <param name="MetadataRows">Market metadata rows written (the markets of its snapshots; they stay in the database too).</param>
/// <param name="SnapshotRows">Snapshots written and dropped.</param>
/// <param name="DerivedRows">Derived rows written and dropped.</param>
/// <param name="ManifestSha256">SHA-256 of its <c>manifest.json</c>.</param>
public sealed record ArchivedMonth(PartitionMonth Month, string Directory, long MetadataRows, long SnapshotRows, long DerivedRows, string ManifestSha256);

/// <summary>A month loaded back by <see cref="MonthArchiver.RestoreAsync"/>; counts are rows inserted (rows already there are left alone).</summary>
/// <param name="Month">The month.</param>
/// <param name="MetadataRows">Market metadata rows inserted (markets the database no longer had).</param>
/// <param name="SnapshotRows">Snapshots inserted.</param>
/// <param name="DerivedRows">Derived rows inserted.</param>
/// <param name="ArchivedSnapshotRows">Snapshots in the archive.</param>
public sealed record RestoredMonth(PartitionMonth Month, long MetadataRows, long SnapshotRows, long DerivedRows, long ArchivedSnapshotRows);

/// <summary>A month <c>netbet archive</c> dropped, as the database remembers it (<c>archived_months</c>).</summary>
/// <param name="Month">The month.</param>
/// <param name="Location">The directory the archive was written to.</param>
/// <param name="SnapshotRows">Snapshots archived.</param>
/// <param name="DerivedRows">Derived rows archived.</param>
/// <param name="ArchivedAt">When.</param>
public sealed record ArchivedMonthRecord(PartitionMonth Month, string Location, long SnapshotRows, long DerivedRows, DateTimeOffset ArchivedAt);

/// <summary>
/// Archives whole months to compressed files and restores them. A month is written (market metadata, snapshots
/// with raw payloads, derived rows: each a gzip-compressed binary COPY stream), read back and checked against the
/// row counts and SHA-256 in its manifest, and only then are its partitions detached and dropped, all in one
/// transaction that keeps writers out of that month meanwhile. Restore loads the rows back with
/// <c>ON CONFLICT DO NOTHING</c>, so running it twice changes nothing.
/// </summary>
public sealed class MonthArchiver(NpgsqlDataSource dataSource, ILogger<MonthArchiver> logger)
{
    private const string MetadataTable = "market_event_metadata";

    private const string ColumnsSql = """
        select column_name from information_schema.columns
        where table_schema = current_schema() and table_name = @table
        order by ordinal_position
        """;

    private const string RecordArchivedSql = """
        insert into archived_months (month, location, snapshot_rows, derived_rows, manifest_sha256)
        values (@month, @location, @snapshots, @derived, @sha256)
        on conflict (month) do update set
          location = excluded.location, snapshot_rows = excluded.snapshot_rows, derived_rows = excluded.derived_rows,
          manifest_sha256 = excluded.manifest_sha256, archived_at = now()
        """;

    private const string ListArchivedSql = """
        select month, location, snapshot_rows, derived_rows, archived_at from archived_months order by month
        """;

    /// <summary>
    /// Archives every month before <paramref name="before"/> that has partitions into
    /// <c><paramref name="directory"/>/YYYY-MM/</c>, then drops it. Months are done oldest first, one transaction each.
    /// </summary>
    /// <param name="before">The first month to keep.</param>
    /// <param name="directory">Created when missing.</param>
    /// <param name="onMonth">Called after each month is committed.</param>
    /// <param name="cancellationToken">Cancels between and within months; a month not committed stays in the database.</param>
    public async Task<IReadOnlyList<ArchivedMonth>> ArchiveAsync(
        PartitionMonth before, string directory, Action<ArchivedMonth>? onMonth, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        await using var connection = await new MonthPartitions(dataSource).OpenPartitionedAsync(cancellationToken);
        var snapshotParts = await MonthPartitions.PartitionNamesAsync(connection, MonthPartitions.Tables[0], cancellationToken);
        var derivedParts = await MonthPartitions.PartitionNamesAsync(connection, MonthPartitions.Tables[1], cancellationToken);
        var columns = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var table in (string[])[MetadataTable, .. MonthPartitions.Tables])
        {
            columns[table] = await ColumnsAsync(connection, table, cancellationToken);
        }

        var done = new List<ArchivedMonth>();
        foreach (var month in snapshotParts.Keys.Where(m => m < before).Order())
        {
            if (!derivedParts.TryGetValue(month, out var derivedPart))
            {
                throw new ArchiveException($"{month}: market_book_snapshots has the month's partition but market_derived_metrics has none");
            }

            var archived = await ArchiveMonthAsync(
                connection, month, snapshotParts[month], derivedPart, Path.GetFullPath(Path.Combine(directory, month.ToString())), columns, cancellationToken);
            done.Add(archived);
            onMonth?.Invoke(archived);
        }

        return done;
    }

    /// <summary>
    /// Restores the month in <paramref name="path"/> (a directory with a <c>manifest.json</c>), or every month
    /// directory inside it. Files are checked against the manifest before anything is loaded.
    /// </summary>
    public async Task<IReadOnlyList<RestoredMonth>> RestoreAsync(string path, Action<RestoredMonth>? onMonth, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path))
        {
            throw new ArchiveException($"{path}: no such directory");
        }

        var monthDirectories = File.Exists(Path.Combine(path, ArchiveManifest.FileName))
            ? [path]
            : Directory.GetDirectories(path).Where(d => File.Exists(Path.Combine(d, ArchiveManifest.FileName))).Order(StringComparer.Ordinal).ToList();
        if (monthDirectories.Count == 0)
        {
            throw new ArchiveException($"{path}: no {ArchiveManifest.FileName} in it or in its subdirectories");
        }

        await using var connection = await new MonthPartitions(dataSource).OpenPartitionedAsync(cancellationToken);
        var restored = new List<RestoredMonth>();
        foreach (var monthDirectory in monthDirectories)
        {
            var month = await RestoreMonthAsync(connection, monthDirectory, cancellationToken);
            restored.Add(month);
            onMonth?.Invoke(month);
        }

        return restored;
    }

    /// <summary>The months the database records as archived, oldest first; empty before the partitioning migration.</summary>
    public static async Task<IReadOnlyList<ArchivedMonthRecord>> ListArchivedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("select to_regclass('archived_months') is not null", connection))
        {
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return [];
            }
        }

        var months = new List<ArchivedMonthRecord>();
        await using var command = new NpgsqlCommand(ListArchivedSql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var month = reader.GetFieldValue<DateOnly>(0);
            months.Add(new ArchivedMonthRecord(
                new PartitionMonth(month.Year, month.Month), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return months;
    }

    private async Task<ArchivedMonth> ArchiveMonthAsync(
        NpgsqlConnection connection,
        PartitionMonth month,
        string snapshotPart,
        string derivedPart,
        string monthDirectory,
        Dictionary<string, IReadOnlyList<string>> columns,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(monthDirectory);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // SHARE: the month can be read but not written until it is dropped, so the files hold exactly what is dropped.
        await ExecuteAsync(connection, $"lock table {snapshotPart}, {derivedPart} in share mode", cancellationToken);
        var sources = new (string Table, string Query)[]
        {
            (MetadataTable, $"select {string.Join(", ", columns[MetadataTable])} from {MetadataTable} where market_id in (select market_id from {snapshotPart}) order by market_id"),
            (MonthPartitions.Tables[0], $"select {string.Join(", ", columns[MonthPartitions.Tables[0]])} from {snapshotPart} order by snapshot_id"),
            (MonthPartitions.Tables[1], $"select {string.Join(", ", columns[MonthPartitions.Tables[1]])} from {derivedPart} order by snapshot_id"),
        };

        var files = new List<ArchiveFile>();
        foreach (var (table, query) in sources)
        {
            var rows = await ScalarAsync(connection, $"select count(*) from ({query}) q", cancellationToken);
            var fileName = table + ".copy.gz";
            var filePath = Path.Combine(monthDirectory, fileName);
            string sha256;
            await using (var file = new FileStream(filePath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var hashing = new HashingStream(file, hash))
                await using (var gzip = new GZipStream(hashing, CompressionLevel.Fastest))
                await using (var copy = await connection.BeginRawBinaryCopyAsync($"copy ({query}) to stdout (format binary)", cancellationToken))
                {
                    await copy.CopyToAsync(gzip, cancellationToken);
                }

                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
                sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            }

            files.Add(new ArchiveFile(table, fileName, columns[table], rows, new FileInfo(filePath).Length, sha256));
        }

        // Read every file back from disk before anything is dropped.
        foreach (var file in files)
        {
            await VerifyAsync(monthDirectory, file, cancellationToken);
        }

        var manifest = new ArchiveManifest { Format = ArchiveManifest.CurrentFormat, Month = month.ToString(), CreatedAt = DateTimeOffset.UtcNow, Files = files };
        var manifestPath = Path.Combine(monthDirectory, ArchiveManifest.FileName);
        await File.WriteAllTextAsync(manifestPath, manifest.ToJson(), cancellationToken);
        var manifestSha256 = await CopyStreams.Sha256Async(manifestPath, cancellationToken);

        // The derived month first: the snapshot month is referenced by its foreign key, and a referenced partition
        // must be detached (which checks nothing refers to it any more) before it can be dropped.
        await ExecuteAsync(
            connection,
            $"drop table {derivedPart}; alter table {MonthPartitions.Tables[0]} detach partition {snapshotPart}; drop table {snapshotPart}",
            cancellationToken);

        // A market whose newest snapshot was in this month now has an older one, or none.
        var stateRows = await MoveLatestStateAsync(connection, LatestStateSql.RefreshDroppedMonth, month, cancellationToken);
        await using (var record = new NpgsqlCommand(RecordArchivedSql, connection))
        {
            record.Parameters.AddWithValue("month", DateOnly.FromDateTime(month.Start.UtcDateTime));
            record.Parameters.AddWithValue("location", monthDirectory);
            record.Parameters.AddWithValue("snapshots", files[1].Rows);
            record.Parameters.AddWithValue("derived", files[2].Rows);
            record.Parameters.AddWithValue("sha256", manifestSha256);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation(
            "Archived {Month}: {Snapshots} snapshots, {Derived} derived rows to {Directory}; {StateRows} markets' latest state moved back",
            month,
            files[1].Rows,
            files[2].Rows,
            monthDirectory,
            stateRows);
        return new ArchivedMonth(month, monthDirectory, files[0].Rows, files[1].Rows, files[2].Rows, manifestSha256);
    }

    private async Task<RestoredMonth> RestoreMonthAsync(NpgsqlConnection connection, string monthDirectory, CancellationToken cancellationToken)
    {
        var manifestPath = Path.Combine(monthDirectory, ArchiveManifest.FileName);
        var manifest = ArchiveManifest.Read(manifestPath);
        var month = PartitionMonth.TryParse(manifest.Month, out var error) ?? throw new ArchiveException($"{manifestPath}: month: {error}");
        string[] order = [MetadataTable, .. MonthPartitions.Tables];
        if (!manifest.Files.Select(f => f.Table).SequenceEqual(order))
        {
            throw new ArchiveException($"{manifestPath}: expected files for {string.Join(", ", order)}");
        }

        foreach (var file in manifest.Files)
        {
            await VerifyAsync(monthDirectory, file, cancellationToken);
        }

        // In a short transaction of its own (it locks the parent tables), not in the long load below.
        await MonthPartitions.EnsureAsync(connection, [month], cancellationToken);

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = new long[3];
        for (var i = 0; i < 3; i++)
        {
            var file = manifest.Files[i];
            var existing = await ColumnsAsync(connection, file.Table, cancellationToken);
            var unknown = file.Columns.Except(existing, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw new ArchiveException($"{Path.Combine(monthDirectory, file.File)}: {file.Table} has no column(s) {string.Join(", ", unknown)}");
            }

            // Checked above against the table's own columns, so safe to splice.
            var list = string.Join(", ", file.Columns);
            var temp = "netbet_restore_" + i;
            await ExecuteAsync(connection, $"create temp table {temp} (like {file.Table}) on commit drop", cancellationToken);
            await using (var input = new GZipStream(File.OpenRead(Path.Combine(monthDirectory, file.File)), CompressionMode.Decompress))
            await using (var copy = await connection.BeginRawBinaryCopyAsync($"copy {temp} ({list}) from stdin (format binary)", cancellationToken))
            {
                await input.CopyToAsync(copy, cancellationToken);
            }

            var conflict = i == 0 ? "(market_id)" : "(market_id, snapshot_at)";
            inserted[i] = await ExecuteAsync(
                connection, $"insert into {file.Table} ({list}) select {list} from {temp} on conflict {conflict} do nothing", cancellationToken);
        }

        // A market whose newest snapshot is in the restored month gets it back (newer only, as writers do).
        await MoveLatestStateAsync(connection, LatestStateSql.UpsertFromMonth, month, cancellationToken);

        await using (var forget = new NpgsqlCommand("delete from archived_months where month = @month", connection))
        {
            forget.Parameters.AddWithValue("month", DateOnly.FromDateTime(month.Start.UtcDateTime));
            await forget.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        await HistoryGeneration.BumpAsync(connection, cancellationToken);
        logger.LogInformation("Restored {Month} from {Directory}: {Snapshots} snapshots, {Derived} derived rows inserted", month, monthDirectory, inserted[1], inserted[2]);
        return new RestoredMonth(month, inserted[0], inserted[1], inserted[2], manifest.Files[1].Rows);
    }

    // Nothing to do on a database not migrated to market_latest_state yet: the migration fills it from what is stored.
    private static async Task<long> MoveLatestStateAsync(NpgsqlConnection connection, string sql, PartitionMonth month, CancellationToken cancellationToken)
    {
        if (!await LatestStateSql.ExistsAsync(connection, cancellationToken))
        {
            return 0;
        }

        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            sql, new { from = month.Start, to = month.End }, cancellationToken: cancellationToken)) ?? 0;
    }

    private static async Task VerifyAsync(string monthDirectory, ArchiveFile file, CancellationToken cancellationToken)
    {
        var path = Path.Combine(monthDirectory, file.File);
        if (!File.Exists(path))
        {
            throw new ArchiveException($"{path}: missing");
        }

        var sha256 = await CopyStreams.Sha256Async(path, cancellationToken);
        if (sha256 != file.Sha256)
        {
            throw new ArchiveException($"{path}: SHA-256 is {sha256}, the manifest says {file.Sha256}");
        }

        long rows;
        try
        {
            rows = await Task.Run(() => CopyStreams.CountRows(path), cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new ArchiveException($"{path}: unreadable: {e.Message}", e);
        }

        if (rows != file.Rows)
        {
            throw new ArchiveException($"{path}: holds {rows} rows, the manifest says {file.Rows}");
        }
    }

    private static async Task<IReadOnlyList<string>> ColumnsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        await using var command = new NpgsqlCommand(ColumnsSql, connection);
        command.Parameters.AddWithValue("table", table);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Passes writes through to a file while hashing them, so the SHA-256 costs no second read.</summary>
    private sealed class HashingStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
