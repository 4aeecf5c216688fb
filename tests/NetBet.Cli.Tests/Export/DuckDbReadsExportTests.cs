using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NetBet.Cli.Export;
using NetBet.Cli.Tests.Backfill;
using NetBet.Core.Metrics;
using NetBet.Data.Export;
using Npgsql;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// Exports read back by DuckDB, a tool analysts use (npm's <c>@duckdb/node-api</c>, restored into tests/duckdb by this
/// project's build from its package-lock.json): column names, DuckDB's types, the row count and the values, NULLs as
/// NULL. Node.js missing fails these tests; it never skips them.
/// </summary>
public sealed class DuckDbReadsExportTests(CliDatabaseFixture fixture) : IAsyncLifetime
{
    private const string OddName = "Home, \"Quoted\" v Away";
    private static readonly DateTimeOffset MarketStartTime = new(2026, 2, 7, 15, 0, 0, 250, TimeSpan.Zero);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _folder = Directory.CreateTempSubdirectory("netbet-duckdb-").FullName;
    private string _db = "";

    public async ValueTask InitializeAsync()
    {
        // As ExportCommandTests: a name needing CSV quotes, a snapshot without a derived row, NULL metrics, a NULL inplay.
        _db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 12, Ct);

        // A CSV column that is empty throughout cannot show its type (DuckDB reads it as VARCHAR): fill the metrics the
        // seed's engine left NULL (later migrations' columns) with full-precision doubles, before NULLing a few below.
        await CliSeed.ExecuteAsync(_db, $"update market_derived_metrics set {string.Join(", ", MetricColumns.Names.Select(n => $"{n} = coalesce({n}, snapshot_id / 3.0::float8)"))}", Ct);
        await CliSeed.ExecuteAsync(_db, "update market_event_metadata set event_name = @name where market_id = '1.250000000'", Ct, new { name = OddName });
        await CliSeed.ExecuteAsync(_db, "delete from market_derived_metrics where snapshot_id = (select min(snapshot_id) + 1 from market_book_snapshots)", Ct);
        await CliSeed.ExecuteAsync(_db, "update market_derived_metrics set home_back_stake = null, away_best_back = null where snapshot_id = (select min(snapshot_id) + 2 from market_book_snapshots)", Ct);
        await CliSeed.ExecuteAsync(_db, "update market_book_snapshots set inplay = null where snapshot_id = (select min(snapshot_id) + 3 from market_book_snapshots)", Ct);

        // Likewise the market and snapshot columns the seed leaves NULL, each but one row.
        await CliSeed.ExecuteAsync(_db, "update market_book_snapshots set total_matched = snapshot_id * 1000.25 + 0.1 where snapshot_id <> (select min(snapshot_id) + 4 from market_book_snapshots)", Ct);
        await CliSeed.ExecuteAsync(_db, """
            update market_event_metadata
            set competition_name = 'English Premier League', market_start_time = @start,
                home_runner_name = 'Arsenal', away_runner_name = 'Chelsea', draw_runner_name = 'The Draw'
            """, Ct, new { start = MarketStartTime });
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Parquet_ReadByDuckDb_HasTheTypesAndEveryStoredValue()
    {
        var read = await ReadWithDuckDbAsync(await ExportAsync("parquet"), "parquet");

        Assert.Equal(SnapshotExportRow.Columns.Select(c => (c.Name, DuckDbType(c.Type))), read.Columns);
        await AssertHoldsStoredRowsAsync(read);
    }

    [Fact]
    public async Task Csv_ReadByDuckDb_DetectsTheTypesAndReadsEveryStoredValue()
    {
        // DuckDB's sniffer, like pandas, takes market ids such as 1.250000000 for numbers; the README says to read
        // market_id as text, and so does this test. Every other type is detected from the text alone.
        var read = await ReadWithDuckDbAsync(await ExportAsync("csv"), "csv", "types={'market_id':'VARCHAR'}");

        Assert.Equal(SnapshotExportRow.Columns.Select(c => (c.Name, DuckDbType(c.Type))), read.Columns);
        await AssertHoldsStoredRowsAsync(read);
    }

    private async Task AssertHoldsStoredRowsAsync(DuckDbRead read)
    {
        var stored = (await StoredRows.ReadAsync(_db, Ct)).OrderBy(s => s.SnapshotId).ToList();
        Assert.Equal(stored.Count, read.Count);
        Assert.Equal(stored.Count, read.Rows.Count);
        foreach (var (expected, row) in stored.Zip(read.Rows))
        {
            Assert.Equal(expected.MarketId, row.GetProperty("market_id").GetString());
            Assert.Equal(expected.SnapshotId.ToString(CultureInfo.InvariantCulture), row.GetProperty("snapshot_id").GetString());
            Assert.Equal(Micros(expected.SnapshotAt), row.GetProperty("snapshot_at").GetString());
            Assert.Equal(expected.Inplay, row.GetProperty("inplay") is { ValueKind: JsonValueKind.Null } ? null : row.GetProperty("inplay").GetBoolean());
            Assert.Equal(expected.Status, row.GetProperty("status").GetString());
            Assert.Equal(expected.EventName, row.GetProperty("event_name").GetString());
            Assert.Equal(expected.TotalMatched, Real(row.GetProperty("total_matched")));
            Assert.Equal(Micros(MarketStartTime), row.GetProperty("market_start_time").GetString());
            Assert.Equal("English Premier League", row.GetProperty("competition_name").GetString());
            Assert.Equal("Chelsea", row.GetProperty("away_runner_name").GetString());
            for (var i = 0; i < MetricColumns.Count; i++)
            {
                // Bit for bit: JSON numbers from JavaScript are shortest round-trip, as the CSV is.
                Assert.Equal(expected.Metrics[i], Real(row.GetProperty(MetricColumns.Names[i])));
            }

            foreach (var outcome in MetricColumns.Outcomes)
            {
                Assert.Equal(OutcomeFormulas.SizeImpedanceL1(expected.Metrics, outcome), Real(row.GetProperty($"{MetricColumns.Prefix(outcome)}_size_impedance_l1")));
            }
        }

        // The awkward cases arrived as themselves: the quoted name, NULL metrics beside values, a row without metrics.
        Assert.Contains(read.Rows, r => r.GetProperty("event_name").GetString() == OddName);
        Assert.Contains(read.Rows, r => r.GetProperty("home_back_stake").ValueKind == JsonValueKind.Null && r.GetProperty("home_best_back").ValueKind == JsonValueKind.Number);
        Assert.Contains(read.Rows, r => MetricColumns.Names.All(n => r.GetProperty(n).ValueKind == JsonValueKind.Null));
        Assert.Contains(read.Rows, r => r.GetProperty("inplay").ValueKind == JsonValueKind.Null);
        Assert.Contains(read.Rows, r => r.GetProperty("total_matched").ValueKind == JsonValueKind.Null);
    }

    private static string Micros(DateTimeOffset at) => ((at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture);

    private static double? Real(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();

    private static string DuckDbType(ExportType type) => type switch
    {
        ExportType.Text => "VARCHAR",
        ExportType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        ExportType.Real => "DOUBLE",
        ExportType.Whole => "BIGINT",
        ExportType.Boolean => "BOOLEAN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private async Task<string> ExportAsync(string format)
    {
        var path = Path.Combine(_folder, $"export.{format}");
        var command = new ExportCommand();
        var stderr = new StringWriter();
        var request = command.Validate(command.Parse(["--format", format, "--out", path, "--from", "2026-01-01", "--to", "2027-01-01"]), stderr);
        Assert.True(request is not null, stderr.ToString());
        await using var dataSource = NpgsqlDataSource.Create(_db);
        var exitCode = await ExportCommand.ExecuteAsync(new ExportQueries(dataSource), request, stderr, progress: false, quiet: true, Ct);
        Assert.True(exitCode == 0, stderr.ToString());
        return path;
    }

    private sealed record DuckDbRead(List<(string Name, string Type)> Columns, long Count, List<JsonElement> Rows);

    /// <summary>Runs tests/duckdb/read-export.mjs on <paramref name="path"/> and parses what DuckDB saw.</summary>
    private static async Task<DuckDbRead> ReadWithDuckDbAsync(string path, string format, string? csvOptions = null)
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "duckdb");
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "@duckdb", "node-api")),
            $"{folder}/node_modules has no @duckdb/node-api: the build of NetBet.Cli.Tests restores it with `npm ci` (is npm installed?)");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("read-export.mjs");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(format);
        if (csvOptions is not null)
        {
            start.ArgumentList.Add(csvOptions);
        }

        Process node;
        try
        {
            node = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("node (Node.js) is not installed: ./test.sh installs Debian's nodejs and npm", e);
        }

        using (node)
        {
            var stdout = node.StandardOutput.ReadToEndAsync(Ct);
            var stderr = node.StandardError.ReadToEndAsync(Ct);
            await node.WaitForExitAsync(Ct);
            Assert.True(node.ExitCode == 0, $"node read-export.mjs exited {node.ExitCode}: {await stderr}");
            using var doc = JsonDocument.Parse(await stdout);
            var root = doc.RootElement;
            return new DuckDbRead(
                [.. root.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!))],
                long.Parse(root.GetProperty("count").GetString()!, CultureInfo.InvariantCulture),
                [.. root.GetProperty("rows").EnumerateArray().Select(r => r.Clone())]);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NetBet.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("NetBet.slnx not found above " + AppContext.BaseDirectory);
    }
}
