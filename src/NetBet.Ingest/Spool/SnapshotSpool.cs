using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using NetBet.Data.Cluster;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Capture;

namespace NetBet.Ingest.Spool;

/// <summary>
/// A durable local spool of captured batches (snapshots and their market metadata), so a batch fetched from
/// Betfair survives a database outage or a crash until the database has it. A capture appends its batch, fsync'd,
/// before the database transaction and removes it only after the commit; every later write first replays what is
/// left, oldest first. Replays are harmless after a crash between commit and removal: snapshots are unique on
/// (market_id, snapshot_at), so a second write counts duplicates and adds nothing.
/// <para>
/// One file per batch, <c>NNNNNNNNNNNN.spool</c>: a header (magic, payload length, snapshot count, oldest snapshot
/// time, SHA-256 of the payload) and the payload (JSON). A file whose length or checksum does not match (power
/// loss mid-append) is torn: it is renamed <c>.torn</c> with a warning and never replayed. The spool never drops a
/// batch silently: when <see cref="MaxBytes"/> would be exceeded the append fails with an error log and the caller
/// reports the batch as not spooled. One process at a time: a <c>.lock</c> file is held while the spool is open.
/// </para>
/// </summary>
public sealed partial class SnapshotSpool : IDisposable
{
    /// <summary>Extension of a pending batch.</summary>
    public const string PendingExtension = ".spool";

    /// <summary>Extension of a batch whose bytes did not check out; kept for inspection, never replayed.</summary>
    public const string TornExtension = ".torn";

    /// <summary>Extension of a batch the database rejected as bad data; kept for inspection, never replayed.</summary>
    public const string RejectedExtension = ".rejected";

    /// <summary>Default <see cref="MaxBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private const int HeaderLength = 8 + 8 + 4 + 8 + 32;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ILogger _logger;
    private readonly FileStream _lock;
    private long _bytes;
    private long _nextSequence;

    private SnapshotSpool(string directory, long maxBytes, ILogger logger, FileStream lockFile)
    {
        Directory = directory;
        MaxBytes = maxBytes;
        _logger = logger;
        _lock = lockFile;
        _bytes = PendingFiles(directory).Sum(f => f.Length);
        // After every name in use, set-aside files included, so a new batch never takes an old one's number.
        _nextSequence = new DirectoryInfo(directory).EnumerateFiles().Select(f => SequenceOf(f.FullName)).DefaultIfEmpty(0).Max() + 1;
    }

    private static ReadOnlySpan<byte> Magic => "NBSPOOL1"u8;

    /// <summary>The spool's directory.</summary>
    public string Directory { get; }

    /// <summary>Most bytes the pending batches may take together.</summary>
    public long MaxBytes { get; }

    /// <summary><c>&lt;home&gt;/spool</c>, home defaulting to <c>$NETBET_HOME</c> (<see cref="PostgresCluster.ResolveHome"/>).</summary>
    public static string DefaultDirectory(string? home = null) => Path.Combine(home ?? PostgresCluster.ResolveHome(), "spool");

    /// <summary>Opens (creating it when missing) the spool in <paramref name="directory"/> and takes its lock.</summary>
    /// <exception cref="IOException">The directory cannot be created, or another process has the spool open.</exception>
    public static SnapshotSpool Open(string directory, long maxBytes, ILogger<SnapshotSpool> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentNullException.ThrowIfNull(logger);
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the spool {directory} is in use by another process ({e.Message})", e);
        }

        return new SnapshotSpool(directory, maxBytes, logger, lockFile);
    }

    /// <summary>
    /// What waits in the spool in <paramref name="directory"/>, from the file headers only; takes no lock, so
    /// <c>netbet status</c> can read it while a poller runs. A missing directory is an empty backlog.
    /// </summary>
    public static SpoolBacklog ReadBacklog(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            return new SpoolBacklog(0, 0, null, 0, 0);
        }

        int batches = 0, unreadable = 0;
        long snapshots = 0, bytes = 0;
        DateTimeOffset? oldest = null;
        foreach (var file in PendingFiles(directory))
        {
            try
            {
                using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var header = new byte[HeaderLength];
                if (stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false) < HeaderLength || !header.AsSpan(0, 8).SequenceEqual(Magic))
                {
                    unreadable++;
                    continue;
                }

                var (count, at) = (BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16)), DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(20))));
                batches++;
                snapshots += count;
                bytes += file.Length;
                oldest = oldest is { } o && o <= at ? o : at;
            }
            catch (FileNotFoundException)
            {
                // Replayed and removed while we looked.
            }
            catch (IOException)
            {
                // Being appended right now (the writer holds it exclusively until it is complete).
            }
        }

        var torn = System.IO.Directory.EnumerateFiles(directory, "*" + TornExtension).Count() + unreadable;
        return new SpoolBacklog(batches, snapshots, oldest, bytes, torn);
    }

    /// <summary>
    /// Appends <paramref name="batch"/> and forces it to disk. Returns null, after an error log saying what is at
    /// stake, when the spool is full or the disk refuses the write: the caller then still has the batch and must
    /// say so if it cannot store it either.
    /// </summary>
    public async Task<SpoolEntry?> AppendAsync(SnapshotBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var payload = JsonSerializer.SerializeToUtf8Bytes(SpooledBatch.From(batch), Json);
        var length = HeaderLength + payload.Length;
        if (_bytes + length > MaxBytes)
        {
            Log.Full(_logger, Directory, _bytes, MaxBytes, batch.Snapshots.Count);
            return null;
        }

        var header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), batch.Snapshots.Count);
        var oldest = batch.Snapshots.Count == 0 ? DateTimeOffset.UnixEpoch : batch.Snapshots.Min(s => s.SnapshotAt);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(20), oldest.ToUnixTimeMilliseconds());
        SHA256.HashData(payload, header.AsSpan(28));

        var path = Path.Combine(Directory, _nextSequence.ToString("D12", CultureInfo.InvariantCulture) + PendingExtension);
        _nextSequence++;
        try
        {
            await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                await file.WriteAsync(header, cancellationToken);
                await file.WriteAsync(payload, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            SyncDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(path);
            Log.AppendFailed(_logger, Directory, batch.Snapshots.Count, e.Message);
            return null;
        }

        _bytes += length;
        return new SpoolEntry(path, batch.Snapshots.Count, length);
    }

    /// <summary>Removes a batch the database has committed.</summary>
    public void Remove(SpoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (TryDelete(entry.Path))
        {
            _bytes -= entry.Bytes;
        }
    }

    /// <summary>
    /// Writes every pending batch, oldest first, with <paramref name="write"/>, removing each once written. Torn
    /// batches are set aside with a warning. A batch the database rejects as bad data (a PostgreSQL data or
    /// integrity error, or snapshots of markets without metadata) is set aside as <c>.rejected</c> with an error log, so it cannot block the ones behind it.
    /// Any other failure of <paramref name="write"/> (the database is down) stops the replay and is thrown; what
    /// was written before it stays written and removed.
    /// </summary>
    public async Task<SpoolReplay> ReplayAsync(
        Func<SnapshotBatch, CancellationToken, Task<SnapshotWriteResult>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var replay = new SpoolReplay();
        foreach (var file in PendingFiles(Directory))
        {
            var bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
            if (Decode(bytes) is not { } batch)
            {
                Log.Torn(_logger, file.FullName);
                SetAside(file.FullName, TornExtension, bytes.Length);
                replay.Torn++;
                continue;
            }

            SnapshotWriteResult result;
            try
            {
                result = await write(batch, cancellationToken);
            }
            catch (Exception e) when (IsRejection(e))
            {
                Log.Rejected(_logger, file.FullName, batch.Snapshots.Count, e.Message);
                SetAside(file.FullName, RejectedExtension, bytes.Length);
                replay.Rejected++;
                continue;
            }

            Remove(new SpoolEntry(file.FullName, batch.Snapshots.Count, bytes.Length));
            replay.Batches++;
            replay.SnapshotsInserted += result.SnapshotsInserted;
            replay.Duplicates += result.DuplicateSnapshots;
        }

        if (replay.Batches > 0 || replay.Torn > 0)
        {
            Log.Replayed(_logger, replay.Batches, replay.SnapshotsInserted, replay.Duplicates, replay.Torn);
        }

        return replay;
    }

    // Failures a later replay cannot fix: bad data, or snapshots of markets nobody described.
    private static bool IsRejection(Exception e) =>
        e is MissingMarketMetadataException
        || (e is Npgsql.PostgresException p && (p.SqlState.StartsWith("22", StringComparison.Ordinal) || p.SqlState.StartsWith("23", StringComparison.Ordinal)));

    /// <summary>Releases the spool's lock; pending batches stay for the next run.</summary>
    public void Dispose() => _lock.Dispose();

    // The batch in a spool file, or null when the file is torn (short, wrong length, wrong checksum, unreadable).
    private static SnapshotBatch? Decode(byte[] bytes)
    {
        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, 8).SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)) != bytes.Length - HeaderLength)
        {
            return null;
        }

        var payload = bytes.AsSpan(HeaderLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(28, 32)))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<SpooledBatch>(payload, Json)?.ToBatch();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private void SetAside(string path, string extension, long bytes)
    {
        try
        {
            File.Move(path, Path.ChangeExtension(path, extension), overwrite: true);
            _bytes -= bytes;
        }
        catch (IOException e)
        {
            Log.AppendFailed(_logger, Directory, 0, e.Message);
        }
    }

    private static List<FileInfo> PendingFiles(string directory) =>
        [.. new DirectoryInfo(directory).EnumerateFiles("*" + PendingExtension).OrderBy(f => f.Name, StringComparer.Ordinal)];

    private static long SequenceOf(string path) =>
        long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static bool TryDelete(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A new file's name is durable only once its directory is: fsync the directory too (Linux; elsewhere the
    // file's own flush is what the platform offers).
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.Open(directory, NativeMethods.ReadOnlyDirectory);
        if (fd < 0)
        {
            return;
        }

        _ = NativeMethods.Fsync(fd);
        _ = NativeMethods.Close(fd);
    }

    private static partial class NativeMethods
    {
        public const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

        [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int Fsync(int fd);

        [LibraryImport("libc", EntryPoint = "close")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial int Close(int fd);
    }

    private static partial class Log
    {
        [LoggerMessage(5401, LogLevel.Error, "Spool {Directory} is FULL ({Bytes} of {MaxBytes} bytes): a batch of {Snapshots} snapshots is NOT spooled and is lost if the database cannot take it now; raise --spool-max-bytes or bring the database back")]
        public static partial void Full(ILogger logger, string directory, long bytes, long maxBytes, int snapshots);

        [LoggerMessage(5402, LogLevel.Error, "Spool {Directory}: cannot write a batch of {Snapshots} snapshots: {Message}")]
        public static partial void AppendFailed(ILogger logger, string directory, int snapshots, string message);

        [LoggerMessage(5403, LogLevel.Warning, "Spool file {Path} is torn (cut short or corrupt, e.g. power loss mid-append): set aside, not replayed")]
        public static partial void Torn(ILogger logger, string path);

        [LoggerMessage(5404, LogLevel.Error, "Spool file {Path} ({Snapshots} snapshots) was rejected by the database and set aside: {Message}")]
        public static partial void Rejected(ILogger logger, string path, int snapshots, string message);

        [LoggerMessage(5405, LogLevel.Information, "Spool replayed {Batches} batches: {Inserted} snapshots stored, {Duplicates} already stored; {Torn} torn")]
        public static partial void Replayed(ILogger logger, int batches, int inserted, int duplicates, int torn);
    }
}

/// <summary>A batch in the spool, until the database has it.</summary>
/// <param name="Path">Its file.</param>
/// <param name="Snapshots">Snapshots in it.</param>
/// <param name="Bytes">Its size on disk.</param>
public sealed record SpoolEntry(string Path, int Snapshots, long Bytes);

/// <summary>What waits in a spool.</summary>
/// <param name="Batches">Pending batches (one per poll tick).</param>
/// <param name="Snapshots">Snapshots in them.</param>
/// <param name="Oldest">Oldest snapshot time among them, or null when empty.</param>
/// <param name="Bytes">Their size on disk.</param>
/// <param name="Torn">Files set aside (or found) torn.</param>
public sealed record SpoolBacklog(int Batches, long Snapshots, DateTimeOffset? Oldest, long Bytes, int Torn);

/// <summary>What one <see cref="SnapshotSpool.ReplayAsync"/> did.</summary>
public sealed class SpoolReplay
{
    /// <summary>Batches written and removed.</summary>
    public int Batches { get; set; }

    /// <summary>Snapshots they added.</summary>
    public int SnapshotsInserted { get; set; }

    /// <summary>Snapshots already stored (a crash between commit and removal).</summary>
    public int Duplicates { get; set; }

    /// <summary>Torn batches set aside.</summary>
    public int Torn { get; set; }

    /// <summary>Batches the database rejected, set aside.</summary>
    public int Rejected { get; set; }
}

// The spool's JSON: the snapshot fields as stored, without the derived row, which is computed again on replay from
// the same raw payload (the engine is deterministic), so the spool never needs a serialised DerivedRow.
internal sealed record SpooledBatch(List<MarketMetadata> Metadata, List<SpooledSnapshot> Snapshots)
{
    public static SpooledBatch From(SnapshotBatch batch) => new(
        [.. batch.Metadata],
        [.. batch.Snapshots.Select(s => new SpooledSnapshot(s.MarketId, s.SnapshotAt, s.RawPayload, s.TotalMatched, s.Inplay, s.Status, s.DepthLimit, s.Source, s.CaptureVersion))]);

    public SnapshotBatch ToBatch()
    {
        var roles = Metadata.Where(m => m.Roles is not null).GroupBy(m => m.MarketId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last().Roles!, StringComparer.Ordinal);
        return new SnapshotBatch(Metadata, [.. Snapshots.Select(s =>
        {
            var record = new SnapshotRecord(s.MarketId, s.SnapshotAt)
            {
                RawPayload = s.RawPayload, TotalMatched = s.TotalMatched, Inplay = s.Inplay, Status = s.Status,
                DepthLimit = s.DepthLimit, Source = s.Source, CaptureVersion = s.CaptureVersion,
            };
            return roles.TryGetValue(s.MarketId, out var r) ? SnapshotCapture.WithDerivedRow(record, r) : record;
        })]);
    }
}

internal sealed record SpooledSnapshot(
    string MarketId, DateTimeOffset SnapshotAt, string? RawPayload, double? TotalMatched, bool? Inplay, string? Status,
    int? DepthLimit, string Source, string CaptureVersion);
