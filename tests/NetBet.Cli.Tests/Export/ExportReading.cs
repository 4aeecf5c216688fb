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

/// <summary>What one reader (DuckDB, polars, pandas) saw in an export, from the JSON its script prints.</summary>
/// <remarks>
/// Every script prints the same form: <c>{"columns":[{"name","type"}],"count":"N","rows":[{column: value}]}</c>, rows in
/// snapshot_id order; doubles as JSON numbers (shortest round-trip), int64 as decimal strings, timestamps as
/// microseconds since the Unix epoch (strings), booleans, strings, NULL as null. Types are the reader's own names.
/// </remarks>
internal sealed record ReaderRead(List<(string Name, string Type)> Columns, long Count, List<JsonElement> Rows)
{
    public static ReaderRead Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        return new ReaderRead(
            [.. root.GetProperty("columns").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!))],
            long.Parse(root.GetProperty("count").GetString()!, CultureInfo.InvariantCulture),
            [.. root.GetProperty("rows").EnumerateArray().Select(r => r.Clone())]);
    }
}

/// <summary>
/// A test database with the cases a reader can get wrong, its export, and the check that a reader got every stored value
/// back; shared by the DuckDB, polars and pandas tests so that all three read the same file the same way.
/// </summary>
internal static class ExportReading
{
    public const string OddName = "Home, \"Quoted\" v Away";
    public static readonly DateTimeOffset MarketStartTime = new(2026, 2, 7, 15, 0, 0, 250, TimeSpan.Zero);

    /// <summary>Two markets of 12 snapshots: a name needing CSV quotes, a snapshot without a derived row, NULL metrics, a NULL inplay.</summary>
    public static async Task<string> SeedAsync(CliDatabaseFixture fixture, CancellationToken ct)
    {
        var db = await CliSeed.CreateAsync(fixture, markets: 2, perMarket: 12, ct);

        // A CSV column that is empty throughout cannot show its type (readers take it for text): fill the metrics the
        // seed's engine left NULL (later migrations' columns) with full-precision doubles, before NULLing a few below.
        await CliSeed.ExecuteAsync(db, $"update market_derived_metrics set {string.Join(", ", MetricColumns.Names.Select(n => $"{n} = coalesce({n}, snapshot_id / 3.0::float8)"))}", ct);
        await CliSeed.ExecuteAsync(db, "update market_event_metadata set event_name = @name where market_id = '1.250000000'", ct, new { name = OddName });
        await CliSeed.ExecuteAsync(db, "delete from market_derived_metrics where snapshot_id = (select min(snapshot_id) + 1 from market_book_snapshots)", ct);
        await CliSeed.ExecuteAsync(db, "update market_derived_metrics set home_back_stake = null, away_best_back = null where snapshot_id = (select min(snapshot_id) + 2 from market_book_snapshots)", ct);
        await CliSeed.ExecuteAsync(db, "update market_book_snapshots set inplay = null where snapshot_id = (select min(snapshot_id) + 3 from market_book_snapshots)", ct);

        // Likewise the market and snapshot columns the seed leaves NULL, each but one row.
        await CliSeed.ExecuteAsync(db, "update market_book_snapshots set total_matched = snapshot_id * 1000.25 + 0.1 where snapshot_id <> (select min(snapshot_id) + 4 from market_book_snapshots)", ct);
        await CliSeed.ExecuteAsync(db, """
            update market_event_metadata
            set competition_name = 'English Premier League', market_start_time = @start,
                home_runner_name = 'Arsenal', away_runner_name = 'Chelsea', draw_runner_name = 'The Draw'
            """, ct, new { start = MarketStartTime });
        return db;
    }

    /// <summary>Runs <c>netbet export</c> over the whole database to <paramref name="path"/>.</summary>
    public static async Task<string> ExportAsync(string db, string path, string format, CancellationToken ct)
    {
        var command = new ExportCommand();
        var stderr = new StringWriter();
        var request = command.Validate(command.Parse(["--format", format, "--out", path, "--from", "2026-01-01", "--to", "2027-01-01"]), stderr);
        Assert.True(request is not null, stderr.ToString());
        await using var dataSource = NpgsqlDataSource.Create(db);
        var exitCode = await ExportCommand.ExecuteAsync(new ExportQueries(dataSource), request, stderr, progress: false, quiet: true, ct);
        Assert.True(exitCode == 0, stderr.ToString());
        return path;
    }

    /// <summary>The reader saw every stored row, value for value, NULLs as null, and each awkward case as itself.</summary>
    public static async Task AssertHoldsStoredRowsAsync(string db, ReaderRead read, CancellationToken ct)
    {
        var stored = (await StoredRows.ReadAsync(db, ct)).OrderBy(s => s.SnapshotId).ToList();
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
                // Bit for bit: JSON numbers from JavaScript and Python are shortest round-trip, as the CSV is.
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

    /// <summary>Columns as the export writes them, each type named by <paramref name="typeName"/>.</summary>
    public static IEnumerable<(string Name, string Type)> ExpectedColumns(Func<ExportType, string> typeName) =>
        SnapshotExportRow.Columns.Select(c => (c.Name, typeName(c.Type)));

    /// <summary>Runs a reader script and returns what it printed; a non-zero exit fails with its stderr.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory, string notInstalled, CancellationToken ct)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(notInstalled, e);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', start.ArgumentList)} exited {process.ExitCode}: {await stderr}");
            return await stdout;
        }
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NetBet.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("NetBet.slnx not found above " + AppContext.BaseDirectory);
    }

    private static string Micros(DateTimeOffset at) => ((at.UtcTicks - DateTime.UnixEpoch.Ticks) / 10).ToString(CultureInfo.InvariantCulture);

    private static double? Real(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
}

/// <summary>
/// What each reader's test class shares: the seeded database (<see cref="ExportReading.SeedAsync"/>), a scratch
/// folder for the exported files, and the check that a reader saw every column with its type and every stored value.
/// </summary>
public abstract class ExportReaderTests(CliDatabaseFixture fixture, string reader) : IAsyncLifetime
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected string Folder { get; } = Directory.CreateTempSubdirectory($"netbet-{reader}-").FullName;

    protected string Db { get; private set; } = "";

    public async ValueTask InitializeAsync() => Db = await ExportReading.SeedAsync(fixture, Ct);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Exports the seeded database to <paramref name="fileName"/> in the scratch folder; returns its path.</summary>
    protected Task<string> ExportAsync(string format, string? fileName = null) =>
        ExportReading.ExportAsync(Db, Path.Combine(Folder, fileName ?? $"export.{format}"), format, Ct);

    /// <summary>The reader saw the columns in file order with <paramref name="typeName"/>'s types, and every stored value.</summary>
    private protected async Task AssertReadAsync(ReaderRead read, Func<ExportType, string> typeName)
    {
        Assert.Equal(ExportReading.ExpectedColumns(typeName), read.Columns);
        await ExportReading.AssertHoldsStoredRowsAsync(Db, read, Ct);
    }
}
