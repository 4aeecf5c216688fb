using System.Globalization;
using System.Text;
using System.Text.Json;
using NetBet.Cli.Export;
using NetBet.Cli.Tests.Backfill;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Export;
using Npgsql;
using Parquet;
using Parquet.Schema;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// <c>netbet export</c> against a real database: every format holds exactly the stored rows (NULLs included),
/// --interval keeps the last snapshot per bucket, --ladders lists the raw payloads' levels, bad options exit 2.
/// </summary>
public sealed class ExportCommandTests(CliDatabaseFixture fixture) : IAsyncLifetime
{
    private const string OddName = "Home, \"Quoted\" v Away";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("netbet-export-").FullName;
    private string _db = "";

    public async ValueTask InitializeAsync()
    {
        // 2 markets x 12 snapshots one minute apart; then the awkward cases: a name needing CSV quotes, a snapshot
        // without a derived row, a NULL metric (a legacy row) and a NULL inplay.
        _db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 12, Ct);
        await CliSeed.ExecuteAsync(_db, "update market_event_metadata set event_name = @name where market_id = '1.250000000'", Ct, new { name = OddName });
        await CliSeed.ExecuteAsync(_db, "delete from market_derived_metrics where snapshot_id = (select min(snapshot_id) + 1 from market_book_snapshots)", Ct);
        await CliSeed.ExecuteAsync(_db, "update market_derived_metrics set home_back_stake = null, away_best_back = null where snapshot_id = (select min(snapshot_id) + 2 from market_book_snapshots)", Ct);
        await CliSeed.ExecuteAsync(_db, "update market_book_snapshots set inplay = null where snapshot_id = (select min(snapshot_id) + 3 from market_book_snapshots)", Ct);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Export_Csv_HoldsEveryStoredRowWithNullsEmpty()
    {
        var stored = await StoredRows.ReadAsync(_db, Ct);

        var records = StoredRows.ParseCsv(await File.ReadAllTextAsync(await ExportAsync("csv", "--market", "1.250000000", "1.250000001"), Ct));

        Assert.Equal(SnapshotExportRow.Columns.Select(c => c.Name), records[0]);
        Assert.Equal(stored.Count, records.Count - 1);
        var header = records[0].Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        foreach (var (expected, record) in stored.Zip(records.Skip(1)))
        {
            Assert.Equal(expected.MarketId, record[header["market_id"]]);
            Assert.Equal(expected.SnapshotId.ToString(CultureInfo.InvariantCulture), record[header["snapshot_id"]]);
            Assert.Equal(expected.SnapshotAt, DateTimeOffset.Parse(record[header["snapshot_at"]], CultureInfo.InvariantCulture));
            Assert.EndsWith("Z", record[header["snapshot_at"]], StringComparison.Ordinal);
            Assert.Equal(expected.Inplay switch { true => "true", false => "false", null => "" }, record[header["inplay"]]);
            Assert.Equal(expected.EventName, record[header["event_name"]]);
            Assert.Equal(Text(expected.TotalMatched), record[header["total_matched"]]);
            for (var i = 0; i < MetricColumns.Count; i++)
            {
                Assert.Equal(Text(expected.Metrics[i]), record[header[MetricColumns.Names[i]]]);
            }

            foreach (var outcome in MetricColumns.Outcomes)
            {
                Assert.Equal(Text(OutcomeFormulas.SizeImpedanceL1(expected.Metrics, outcome)), record[header[$"{MetricColumns.Prefix(outcome)}_size_impedance_l1"]]);
            }
        }

        Assert.Contains(records, r => r[header["event_name"]] == OddName);
        Assert.Contains(records, r => r[header["home_back_stake"]] == "" && r[header["home_best_back"]] != "");
        Assert.Contains(records, r => r.Skip(header["home_risk"]).All(v => v == ""));
    }

    [Fact]
    public async Task Export_JsonLines_HoldsEveryStoredRowWithNullsNull()
    {
        var stored = await StoredRows.ReadAsync(_db, Ct);

        var lines = await File.ReadAllLinesAsync(await ExportAsync("jsonl", "--league", "unknown"), Ct);

        Assert.Equal(stored.Count, lines.Length);
        foreach (var (expected, line) in stored.Zip(lines))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal(SnapshotExportRow.Columns.Select(c => c.Name), root.EnumerateObject().Select(p => p.Name));
            Assert.Equal(expected.SnapshotId, root.GetProperty("snapshot_id").GetInt64());
            Assert.Equal(expected.SnapshotAt, root.GetProperty("snapshot_at").GetDateTimeOffset());
            Assert.Equal(expected.Inplay, root.GetProperty("inplay").ValueKind == JsonValueKind.Null ? null : root.GetProperty("inplay").GetBoolean());
            for (var i = 0; i < MetricColumns.Count; i++)
            {
                var value = root.GetProperty(MetricColumns.Names[i]);
                Assert.Equal(expected.Metrics[i], value.ValueKind == JsonValueKind.Null ? null : value.GetDouble());
            }
        }
    }

    [Fact]
    public async Task Export_Parquet_TypedColumnsHoldEveryStoredRow()
    {
        var stored = await StoredRows.ReadAsync(_db, Ct);

        await using var reader = await ParquetReader.CreateAsync(await ExportAsync("parquet", "--from", "2026-02-07", "--to", "2026-02-08"), cancellationToken: Ct);

        var fields = reader.Schema.DataFields;
        Assert.Equal(SnapshotExportRow.Columns.Select(c => c.Name), fields.Select(f => f.Name));
        var snapshotAt = Assert.IsType<DateTimeDataField>(fields[2]);
        Assert.True(snapshotAt.IsAdjustedToUTC);
        Assert.Equal(typeof(long), fields[1].ClrType);
        Assert.Equal(typeof(bool), fields[3].ClrType);
        Assert.Equal(typeof(double), fields[5].ClrType);
        Assert.All(fields, f => Assert.True(f.IsNullable));

        var rows = await ReadColumnsAsync(reader);
        Assert.Equal(stored.Select(s => (long?)s.SnapshotId), rows["snapshot_id"].Cast<long?>());
        Assert.Equal(stored.Select(s => (DateTime?)s.SnapshotAt.UtcDateTime), rows["snapshot_at"].Cast<DateTime?>());
        Assert.Equal(stored.Select(s => s.Inplay), rows["inplay"].Cast<bool?>());
        Assert.Equal(stored.Select(s => s.EventName), rows["event_name"].Cast<string?>());
        for (var i = 0; i < MetricColumns.Count; i++)
        {
            Assert.Equal(stored.Select(s => s.Metrics[i]), rows[MetricColumns.Names[i]].Cast<double?>());
        }
    }

    [Fact]
    public async Task Export_ParquetSmallRowGroups_SplitsRowsAcrossGroups()
    {
        var stored = await StoredRows.ReadAsync(_db, Ct);
        var path = Path.Combine(_folder, "groups.parquet");
        var counters = new ExportCounters();
        await using (var stream = File.Create(path))
        {
            await using var writer = await ExportWriter.CreateAsync(ExportFormat.Parquet, stream, SnapshotExportRow.Columns, Ct, parquetRowGroupRows: 5);
            await using var dataSource = NpgsqlDataSource.Create(_db);
            var selection = new ExportSelection(null, null, new Data.Queries.TimeWindow(null, null));
            await ExportWriter.WriteAllAsync(writer, new ExportQueries(dataSource).ReadSnapshotsAsync(selection, counters, Ct), Ct);
        }

        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: Ct);
        Assert.Equal((stored.Count + 4) / 5, reader.RowGroupCount);
        Assert.Equal(stored.Select(s => (long?)s.SnapshotId), (await ReadColumnsAsync(reader))["snapshot_id"].Cast<long?>());
        Assert.Equal(stored.Count, counters.Rows);
    }

    [Fact]
    public async Task Export_ParquetToAPipe_IsReadable()
    {
        // stdout is a pipe: the writer must never seek.
        var buffer = new MemoryStream();
        await using (var pipe = new ForwardOnlyStream(buffer))
        {
            await using var writer = await ExportWriter.CreateAsync(ExportFormat.Parquet, pipe, LadderExportRow.Columns, Ct);
            await writer.WriteAsync(new LadderExportRow { MarketId = "1.2", SnapshotId = 7, SnapshotAt = DateTimeOffset.UnixEpoch, Level = new LadderLevel(5, Outcome.Home, LadderSide.Lay, 1, 2.5, 10) }, Ct);
            await writer.CompleteAsync(Ct);
        }

        buffer.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(buffer, cancellationToken: Ct);
        var rows = await ReadColumnsAsync(reader);
        Assert.Equal(["lay"], rows["side"].Cast<string>());
        Assert.Equal([2.5], rows["price"].Cast<double?>());
    }

    [Fact]
    public async Task Export_Interval_KeepsTheLastSnapshotOfEachBucketPerMarket()
    {
        var stored = await StoredRows.ReadAsync(_db, Ct);
        var expected = stored
            .GroupBy(s => (s.MarketId, Bucket: s.SnapshotAt.UtcTicks / TimeSpan.FromMinutes(5).Ticks))
            .Select(g => g.MaxBy(s => s.SnapshotAt)!.SnapshotId)
            .Order()
            .ToList();

        var lines = await File.ReadAllLinesAsync(await ExportAsync("jsonl", "--market", "1.250000000", "--market", "1.250000001", "--interval", "5m"), Ct);

        var ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("snapshot_id").GetInt64()).ToList();
        Assert.Equal(expected, ids.Order());
        Assert.True(ids.Count < stored.Count);
    }

    [Fact]
    public async Task Export_Ladders_OneRowPerPayloadLevelWithTradedVolume()
    {
        // ScratchBooks payloads have an empty tradedVolume: give one snapshot some, to see it exported.
        await CliSeed.ExecuteAsync(_db, """
            update market_book_snapshots
            set raw_payload = jsonb_set(raw_payload, '{runners,1,ex,tradedVolume}', '[{"price":3.5,"size":120.25},{"price":3.55,"size":7}]')
            where snapshot_id = (select min(snapshot_id) from market_book_snapshots)
            """, Ct);
        var payloads = await StoredRows.ReadPayloadsAsync(_db, Ct);
        var expected = new List<string>();
        foreach (var (snapshotId, payload) in payloads)
        {
            using var doc = JsonDocument.Parse(payload);
            foreach (var runner in doc.RootElement.GetProperty("runners").EnumerateArray())
            {
                foreach (var (side, key) in new[] { ("back", "availableToBack"), ("lay", "availableToLay"), ("traded", "tradedVolume") })
                {
                    var level = 0;
                    foreach (var ps in runner.GetProperty("ex").GetProperty(key).EnumerateArray())
                    {
                        expected.Add(string.Join('|', snapshotId, runner.GetProperty("selectionId").GetInt64(), side, ++level, ps.GetProperty("price").GetDouble(), ps.GetProperty("size").GetDouble()));
                    }
                }
            }
        }

        await using var reader = await ParquetReader.CreateAsync(await ExportAsync("parquet", "--league", "unknown", "--ladders"), cancellationToken: Ct);

        Assert.Equal(LadderExportRow.Columns.Select(c => c.Name), reader.Schema.DataFields.Select(f => f.Name));
        var rows = await ReadColumnsAsync(reader);
        var actual = Enumerable.Range(0, rows["snapshot_id"].Count)
            .Select(i => string.Join('|', rows["snapshot_id"][i], rows["selection_id"][i], rows["side"][i], rows["level"][i], rows["price"][i], rows["size"][i]))
            .ToList();
        Assert.Equal(expected, actual);
        Assert.Contains("traded", rows["side"].Cast<string>());
        Assert.Equal(["away", "draw", "home"], rows["role"].Cast<string>().Distinct().Order());
    }

    [Fact]
    public async Task Export_UnreadablePayload_CountedOthersWrittenExitOne()
    {
        await CliSeed.ExecuteAsync(_db, """
            update market_book_snapshots set raw_payload = '{"runners":[{"selectionId":1,"ex":{"availableToBack":[{"price":"x","size":1}]}}]}'
            where snapshot_id = (select min(snapshot_id) from market_book_snapshots)
            """, Ct);
        var path = Path.Combine(_folder, "ladders.csv");

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(_db, Ct, "export", "--league", "unknown", "--ladders", "--format", "csv", "--out", path);

        Assert.Equal(ExitCodes.Failed, exitCode);
        Assert.Contains("1 raw payloads could not be read", stderr, StringComparison.Ordinal);
        Assert.Contains("availableToBack[0].price", stderr, StringComparison.Ordinal);
        Assert.True(File.ReadAllLines(path).Length > 100);
    }

    [Fact]
    public async Task Export_CsvToStdout_WritesRowsAndOneSummaryLine()
    {
        var (exitCode, stdout, stderr) = await NetBetProcess.RunAsync(_db, Ct, "export", "--market", "1.250000001", "--format", "csv", "--out", "-");

        Assert.Equal(0, exitCode);
        Assert.Equal(13, StoredRows.ParseCsv(stdout).Count);
        Assert.Matches(@"^netbet export: 12 rows from 12 snapshots to stdout \(Csv\) in [0-9.]+ s, [0-9,]+ rows/s$", stderr.Trim());
    }

    [Theory]
    [InlineData("--format", "xml", "--format: 'xml' is not csv, parquet or jsonl")]
    [InlineData("--interval", "5x", "--interval: '5x'")]
    [InlineData("--from", "yesterday", "--from: 'yesterday'")]
    [InlineData("--league", "epl", "--market and --league cannot be combined")]
    [InlineData("--out", "/no/such/folder/x.csv", "--out: folder '/no/such/folder' does not exist")]
    public async Task Export_BadOption_ExitsTwoNamingIt(string option, string value, string message)
    {
        var args = new Dictionary<string, string> { ["--market"] = "1.250000000", ["--format"] = "csv", ["--out"] = "-" };
        args[option] = value;

        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(_db, Ct, ["export", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_UnknownMarket_ExitsTwoNamingIt()
    {
        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(_db, Ct, "export", "--market", "1.250000000", "1.999", "--format", "csv", "--out", Path.Combine(_folder, "x.csv"));

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains("--market: no market 1.999", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "x.csv")));
    }

    public sealed class ParserTests
    {
        private static string Validate(params string[] args)
        {
            var command = new ExportCommand();
            var stderr = new StringWriter();
            Assert.Null(command.Validate(command.Parse(args), stderr));
            return stderr.ToString();
        }

        [Fact]
        public void Validate_NoSelection_AsksWhichSnapshots() =>
            Assert.Contains("--market, --league, or both --from and --to", Validate("--format", "csv", "--out", "-", "--from", "2026-01-01"), StringComparison.Ordinal);

        [Fact]
        public void Validate_NoFormatNoOut_NamesBoth()
        {
            var errors = Validate("--market", "1.2");
            Assert.Contains("--format is required", errors, StringComparison.Ordinal);
            Assert.Contains("--out is required", errors, StringComparison.Ordinal);
        }

        [Fact]
        public void Validate_MissingFolder_NamesOut() =>
            Assert.Contains("--out: folder", Validate("--market", "1.2", "--format", "csv", "--out", "/no/such/folder/x.csv"), StringComparison.Ordinal);

        [Fact]
        public void Validate_FromAfterTo_Refused() =>
            Assert.Contains("--from must be before --to", Validate("--from", "2026-02-02", "--to", "2026-02-01", "--format", "csv", "--out", "-"), StringComparison.Ordinal);

        [Theory]
        [InlineData("30s", 30)]
        [InlineData("5m", 300)]
        [InlineData("1h", 3600)]
        [InlineData("1d", 86400)]
        public void ParseInterval_Lengths_AreSeconds(string text, int seconds)
        {
            var errors = new List<string>();
            Assert.Equal(TimeSpan.FromSeconds(seconds), ExportCommand.ParseInterval(text, errors));
            Assert.Empty(errors);
        }

        [Theory]
        [InlineData("0m")]
        [InlineData("m")]
        [InlineData("-5m")]
        [InlineData("400d")]
        public void ParseInterval_Bad_NamesTheOption(string text)
        {
            var errors = new List<string>();
            Assert.Null(ExportCommand.ParseInterval(text, errors));
            Assert.StartsWith("--interval:", Assert.Single(errors), StringComparison.Ordinal);
        }
    }

    private static string Text(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    private async Task<string> ExportAsync(string format, params string[] selection)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.{format}");
        var command = new ExportCommand();
        var stderr = new StringWriter();
        var request = command.Validate(command.Parse(["--format", format, "--out", path, .. selection]), stderr);
        Assert.True(request is not null, stderr.ToString());
        await using var dataSource = NpgsqlDataSource.Create(_db);
        var exitCode = await ExportCommand.ExecuteAsync(new ExportQueries(dataSource), request, stderr, progress: false, quiet: false, Ct);
        Assert.True(exitCode == 0, stderr.ToString());
        return path;
    }

    private static async Task<Dictionary<string, List<object?>>> ReadColumnsAsync(ParquetReader reader)
    {
        var columns = reader.Schema.DataFields.ToDictionary(f => f.Name, _ => new List<object?>());
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            foreach (var field in reader.Schema.DataFields)
            {
                columns[field.Name].AddRange(field switch
                {
                    _ when field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>) => await ReadText(group, field, count),
                    _ when field.ClrType == typeof(double) => await ReadNullable<double>(group, field, count),
                    _ when field.ClrType == typeof(long) => await ReadNullable<long>(group, field, count),
                    _ when field.ClrType == typeof(bool) => await ReadNullable<bool>(group, field, count),
                    _ when field.ClrType == typeof(DateTime) => await ReadNullable<DateTime>(group, field, count),
                    _ => throw new InvalidOperationException(field.ClrType.Name),
                });
            }
        }

        return columns;
    }

    private static async Task<IEnumerable<object?>> ReadText(ParquetRowGroupReader group, DataField field, int count)
    {
        var values = new string?[count];
        await group.ReadAsync(field, values.AsMemory(), cancellationToken: Ct);
        return values.Cast<object?>();
    }

    private static async Task<IEnumerable<object?>> ReadNullable<T>(ParquetRowGroupReader group, DataField field, int count)
        where T : struct
    {
        var values = new T?[count];
        await group.ReadAsync(field, values.AsMemory(), cancellationToken: Ct);
        return values.Select(v => (object?)v);
    }

    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
