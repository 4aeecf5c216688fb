using System.Formats.Tar;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Import;
using Npgsql;
using SharpCompress.Compressors;
using SharpCompress.Compressors.BZip2;

namespace NetBet.Ingest.Tests.Import;

/// <summary>End-to-end imports of the real stream samples into a real PostgreSQL database, one database per test.</summary>
public sealed class StreamImporterTests(DatabaseFixture database) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("netbet-import-test-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task ImportAsync_Bz2Sample_StoresSnapshotsDerivedRowsAndMetadata()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();

        var (summary, errors) = await ImportAsync(db, [StreamSampleFiles.Historical(StreamSampleFiles.Limx0)]);

        Assert.Equal("", errors);
        Assert.Equal(0, summary.Errors);
        Assert.Equal(1736, summary.Lines);
        Assert.Equal(140, summary.MarketsImported);
        Assert.Equal(60, summary.MarketsSkipped[MarketFilter.NotMatchOdds]);
        Assert.True(summary.SnapshotsInserted > 140);
        Assert.Equal(summary.SnapshotsInserted, summary.DerivedRows);
        var counts = await DbQuerySingleAsync<(long Snapshots, long Derived, long Markets, long Sources)>(db, """
            select (select count(*) from market_book_snapshots),
                   (select count(*) from market_derived_metrics),
                   (select count(distinct market_id) from market_book_snapshots),
                   (select count(*) from market_book_snapshots where source = 'historical_stream' and capture_version = 'stream_v1' and depth_limit is null)
            """);
        Assert.Equal((summary.SnapshotsInserted, summary.SnapshotsInserted, 140L, summary.SnapshotsInserted), counts);

        // 1.242971262 is the richest market of the capture: runners 9162/60324/58805 by sortPriority.
        var metadata = await DbQuerySingleAsync<(string SportId, string SportName, string EventId, long Home, long Away, long Draw, string? Competition)>(db, """
            select sport_id, sport_name, event_id, home_selection_id, away_selection_id, draw_selection_id, competition_id
            from market_event_metadata where market_id = '1.242971262'
            """);
        Assert.Equal(("1", "Soccer", metadata.EventId, 9162L, 60324L, 58805L, (string?)null), metadata);
    }

    [Fact]
    public async Task ImportAsync_SameFileTwiceAndPlainCopy_AddsNothing()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();
        var bz2 = StreamSampleFiles.Historical(StreamSampleFiles.Limx0);
        var plain = Path.Combine(_temp, "1.242971311");
        await File.WriteAllBytesAsync(plain, Decompress(bz2), TestContext.Current.CancellationToken);

        var (first, _) = await ImportAsync(db, [bz2]);
        var (again, _) = await ImportAsync(db, [bz2]);
        var (fromPlain, _) = await ImportAsync(db, [plain]);

        Assert.True(first.SnapshotsInserted > 0);
        Assert.Equal((0L, first.SnapshotsInserted), (again.SnapshotsInserted, again.Duplicates));
        Assert.Equal((0L, first.SnapshotsInserted), (fromPlain.SnapshotsInserted, fromPlain.Duplicates));
        Assert.Equal(first.SnapshotsInserted, await DbExecuteScalarAsync<long>(db, "select count(*) from market_book_snapshots"));
    }

    [Fact]
    public async Task ImportAsync_PlainSampleWithAllMarkets_MapsRolesBySortPriority()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();

        var (defaults, _) = await ImportAsync(db, [StreamSampleFiles.Historical(StreamSampleFiles.Kelvin)]);
        var (all, _) = await ImportAsync(db, [StreamSampleFiles.Historical(StreamSampleFiles.Kelvin)], allMarkets: true);

        Assert.Equal(1, defaults.MarketsSkipped[MarketFilter.NotFootball]);
        Assert.Equal(0L, defaults.SnapshotsInserted);
        Assert.Equal(1, all.MarketsImported);
        Assert.InRange(all.SnapshotsInserted, 18, 40); // ~18 minutes of exchange time, plus status changes
        Assert.Equal(all.SnapshotsInserted, all.DerivedRows);
    }

    [Fact]
    public async Task ImportAsync_StoredPayload_RecomputesToTheStoredDerivedRow()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();
        await ImportAsync(db, [StreamSampleFiles.Historical(StreamSampleFiles.Limx0)]);

        var rows = (await DbQueryAsync<(string Payload, long Home, long Away, long Draw, double? HomeRisk, double? TotalVolume)>(db, """
            select s.raw_payload::text, m.home_selection_id, m.away_selection_id, m.draw_selection_id,
                   d.home_risk, d.total_volume
            from market_book_snapshots s
            join market_event_metadata m using (market_id)
            join market_derived_metrics d using (snapshot_id)
            order by s.snapshot_id
            limit 200
            """)).ToList();

        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            // The backfill path: jsonb text (keys reordered, numbers normalised) read back by the same engine.
            var recomputed = MetricEngine.Compute(MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(row.Payload)), new RunnerRoles(row.Home, row.Away, row.Draw)).Row!;
            Assert.Equal(row.HomeRisk, recomputed["home_risk"]);
            Assert.Equal(row.TotalVolume, recomputed["total_volume"]);
        }
    }

    [Fact]
    public async Task ImportAsync_MalformedLineInTheMiddle_ReportsFileAndLineAndImportsTheRest()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();
        var lines = System.Text.Encoding.UTF8.GetString(Decompress(StreamSampleFiles.Historical(StreamSampleFiles.Limx0))).Split('\n');
        var path = Path.Combine(_temp, "damaged.jsonl");
        await File.WriteAllLinesAsync(
            path,
            [.. lines[..500], """{"op":"mcm","pt":1746609308664,"mc":[{"id":"1.1","rc":[{"id":1,"atb":[[2.0,"x"]]}]}]}""", "{\"op\":\"mcm\",\"pt\":17", .. lines[500..]],
            TestContext.Current.CancellationToken);

        var (damaged, errors) = await ImportAsync(db, [path]);
        await using var clean = await OpenDatabaseAsync();
        var (reference, _) = await ImportAsync(clean, [StreamSampleFiles.Historical(StreamSampleFiles.Limx0)]);

        Assert.Equal(2, damaged.Errors);
        Assert.Equal(
            [$"{path}:501: expected [price,size] with a positive price and a number size at $.mc[0].rc[0].atb[0]", $"{path}:502: unexpected end of line (truncated message?)"],
            errors.TrimEnd().Split('\n'));
        Assert.Equal(reference.SnapshotsInserted, damaged.SnapshotsInserted);
        Assert.Equal(reference.MarketsImported, damaged.MarketsImported);
    }

    [Fact]
    public async Task ImportAsync_TarOfSamples_ImportsEachEntryAndNamesEntriesInErrors()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();
        var archive = Path.Combine(_temp, "data.tar");
        await using (var tar = File.Create(archive))
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(StreamSampleFiles.Historical(StreamSampleFiles.Limx0), "PRO/2025/May/7/1.242971311.bz2", TestContext.Current.CancellationToken);
            await writer.WriteEntryAsync(StreamSampleFiles.Historical(StreamSampleFiles.Basic), "BASIC/2017/Apr/30/28202626.bz2", TestContext.Current.CancellationToken);
            var bad = Path.Combine(_temp, "bad");
            await File.WriteAllTextAsync(bad, "{\"op\":\"mcm\",\"pt\":1,\"mc\":[{\"id\":\"1.9\"}]}\nnot json\n", TestContext.Current.CancellationToken);
            await writer.WriteEntryAsync(bad, "PRO/bad.json", TestContext.Current.CancellationToken);
            var zip = Path.Combine(_temp, "inner.zip");
            await File.WriteAllBytesAsync(zip, [(byte)'P', (byte)'K', 3, 4, 0, 0], TestContext.Current.CancellationToken);
            await writer.WriteEntryAsync(zip, "PRO/inner.zip", TestContext.Current.CancellationToken);
        }

        var (summary, errors) = await ImportAsync(db, [archive]);

        Assert.Equal(4, summary.Files);
        Assert.Equal(140, summary.MarketsImported);
        Assert.Equal(2, summary.MarketsSkipped[MarketFilter.NoBookData]); // the BASIC file's two MATCH_ODDS markets: ltp only
        Assert.Equal(2, summary.Errors);
        Assert.Contains($"{archive}/PRO/bad.json:2: invalid JSON", errors, StringComparison.Ordinal);
        Assert.Contains($"{archive}/PRO/inner.zip: unsupported compression (zip)", errors, StringComparison.Ordinal);
        Assert.True(summary.SnapshotsInserted > 140);
    }

    [Fact]
    public void CheckPath_ZipXzAndNonJson_NameTheFileAndTheProblem()
    {
        var zip = Path.Combine(_temp, "november.zip");
        File.WriteAllBytes(zip, [(byte)'P', (byte)'K', 3, 4, 20, 0, 0, 0]);
        var xz = Path.Combine(_temp, "november.xz");
        File.WriteAllBytes(xz, [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0, 0]);
        var csv = Path.Combine(_temp, "prices.csv");
        File.WriteAllText(csv, "market_id,price\n1.1,2.0\n");

        Assert.Equal($"{zip}: unsupported compression (zip); import reads plain JSON lines, .gz, .bz2 and .tar", StreamImporter.CheckPath(zip));
        Assert.StartsWith($"{xz}: unsupported compression (xz)", StreamImporter.CheckPath(xz), StringComparison.Ordinal);
        Assert.StartsWith($"{csv}: not a Betfair stream file", StreamImporter.CheckPath(csv), StringComparison.Ordinal);
        Assert.Equal($"{Path.Combine(_temp, "missing")}: no such file or folder", StreamImporter.CheckPath(Path.Combine(_temp, "missing")));
        Assert.Null(StreamImporter.CheckPath(_temp));
    }

    [Fact]
    public async Task ImportAsync_GzipCopyInAFolder_IsReadLikeTheOriginal()
    {
        Assert.SkipUnless(StreamSampleFiles.Root is not null, StreamSampleFiles.MissingReason);
        await using var db = await OpenDatabaseAsync();
        var folder = Directory.CreateDirectory(Path.Combine(_temp, "folder", "nested")).FullName;
        await using (var file = File.Create(Path.Combine(folder, "1.242971311.gz")))
        await using (var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Decompress(StreamSampleFiles.Historical(StreamSampleFiles.Limx0)), TestContext.Current.CancellationToken);
        }

        var (summary, errors) = await ImportAsync(db, [Path.Combine(_temp, "folder")]);

        Assert.Equal("", errors);
        Assert.Equal((1, 1736L, 140), (summary.Files, summary.Lines, summary.MarketsImported));
    }

    [Fact]
    public async Task ImportAsync_CarryForwardPastTheClose_GridRunsToTheCloseThenTheMarketLeavesMemory()
    {
        await using var db = await OpenDatabaseAsync();
        const string definition = """
            "marketDefinition":{"eventTypeId":"1","marketType":"MATCH_ODDS","status":"STATUS","inPlay":false,
            "runners":[{"id":11,"sortPriority":1},{"id":22,"sortPriority":2},{"id":33,"sortPriority":3}]}
            """;
        string Definition(string status) => definition.Replace("STATUS", status, StringComparison.Ordinal).ReplaceLineEndings("");
        var path = Path.Combine(_temp, "1.900000001");
        await File.WriteAllLinesAsync(path, [
            $$"""{"op":"mcm","clk":"1","pt":1700000001000,"ct":"SUB_IMAGE","mc":[{"id":"1.900000001","img":true,{{Definition("OPEN")}},"rc":[{"id":11,"atb":[[2.0,10]]},{"id":22,"atb":[[3.0,10]]},{"id":33,"atb":[[4.0,10]]}]}]}""",
            """{"op":"mcm","clk":"2","pt":1700000001500,"mc":[{"id":"1.900000001","rc":[{"id":11,"atb":[[2.0,20]]}]}]}""",
            $$"""{"op":"mcm","clk":"3","pt":1700000003200,"mc":[{"id":"1.900000001",{{Definition("CLOSED")}}}]}""",
            // After the close: Betfair clears the ladders; nothing of it may be stored, and the grid must not restart.
            """{"op":"mcm","clk":"4","pt":1700000004500,"mc":[{"id":"1.900000001","rc":[{"id":11,"atb":[[2.0,0]]}]}]}""",
            """{"op":"mcm","clk":"5","pt":1700000010000,"ct":"HEARTBEAT"}""",
        ], TestContext.Current.CancellationToken);

        var errors = new StringWriter();
        using var importer = new StreamImporter(
            new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance),
            NullLogger<StreamImporter>.Instance,
            new ImportOptions { AllMarkets = true, CarryForward = true, Every = TimeSpan.FromSeconds(1) },
            errors,
            progress: null);
        var summary = await importer.ImportAsync([path], TestContext.Current.CancellationToken);

        Assert.Equal("", errors.ToString());
        var times = (await DbQueryAsync<long>(db, "select (extract(epoch from snapshot_at) * 1000)::bigint - 1700000000000 from market_book_snapshots order by snapshot_at"))
            .ToList();
        Assert.Equal([1000L, 2000L, 3000L, 3200L], times);
        Assert.Equal(4, summary.SnapshotsInserted);
    }

    private static async Task<T> DbQuerySingleAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.QuerySingleAsync<T>(sql);
    }

    private static async Task<T?> DbExecuteScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<T>(sql);
    }

    private static async Task<IEnumerable<T>> DbQueryAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync(TestContext.Current.CancellationToken);
        return await connection.QueryAsync<T>(sql);
    }

    private async Task<NpgsqlDataSource> OpenDatabaseAsync() =>
        NpgsqlDataSource.Create(await database.CreateDatabaseAsync(migrated: true, TestContext.Current.CancellationToken));

    private static async Task<(ImportSummary Summary, string Errors)> ImportAsync(NpgsqlDataSource db, string[] paths, bool allMarkets = false)
    {
        var errors = new StringWriter();
        using var importer = new StreamImporter(
            new SnapshotWriter(db, NullLogger<SnapshotWriter>.Instance),
            NullLogger<StreamImporter>.Instance,
            new ImportOptions { AllMarkets = allMarkets, BatchSize = 100 },
            errors,
            progress: null);
        var summary = await importer.ImportAsync(paths, TestContext.Current.CancellationToken);
        return (summary, errors.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    private static byte[] Decompress(string bz2Path)
    {
        using var file = File.OpenRead(bz2Path);
        using var bz2 = BZip2Stream.Create(file, CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: false, tolerateTruncatedStream: false);
        using var buffer = new MemoryStream();
        bz2.CopyTo(buffer);
        return buffer.ToArray();
    }
}
