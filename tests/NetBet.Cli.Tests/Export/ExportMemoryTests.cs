using System.Globalization;
using NetBet.Cli.Tests.Backfill;
using NetBet.Core.Metrics;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// The real <c>netbet export</c>, run as a child process whose peak resident memory (VmHWM) is read from /proc: a tenth
/// of the rows (past one full Parquet row group) and all of them peak alike, for Parquet and CSV.
/// </summary>
public sealed class ExportMemoryTests(CliDatabaseFixture fixture) : IAsyncLifetime
{
    private const int Snapshots = 240_000; // a third is just over one Parquet row group of snapshot rows (74,898)
    private const long GrowthLimitBytes = 48L << 20;
    private const long PeakLimitBytes = 400L << 20;
    private static readonly DateTimeOffset First = new(2026, 2, 7, 12, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Directory.CreateTempSubdirectory("netbet-export-memory-").FullName;
    private string _db = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // One seeded snapshot and its derived row, copied once a second (payloads left out: this export does not read them).
        _db = await CliSeed.CreateAsync(fixture, markets: 1, perMarket: 1, Ct);
        var metrics = string.Join(", ", MetricColumns.Names);
        await CliSeed.ExecuteAsync(_db, $"""
            insert into market_book_snapshots (snapshot_at, market_id, total_matched, inplay, status, source)
            select s.snapshot_at + g * interval '1 second', s.market_id, s.total_matched, s.inplay, s.status, s.source
            from (select * from market_book_snapshots limit 1) s, generate_series(1, {Snapshots - 1}) g;
            insert into market_derived_metrics (snapshot_id, snapshot_at, market_id, {metrics})
            select n.snapshot_id, n.snapshot_at, n.market_id, {string.Join(", ", MetricColumns.Names.Select(m => $"d.{m} + n.snapshot_id / 7.0"))}
            from market_book_snapshots n, (select * from market_derived_metrics limit 1) d
            where n.snapshot_id <> d.snapshot_id;
            analyze;
            """, Ct);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("csv")]
    public async Task Export_ThreeTimesTheRows_PeaksAlike(string format)
    {
        var third = await PeakAsync(format, First.AddSeconds(Snapshots / 3));
        var all = await PeakAsync(format, First.AddSeconds(Snapshots + 1));

        TestContext.Current.SendDiagnosticMessage($"peak resident memory of netbet export --format {format}: {third >> 20} MB for a third, {all >> 20} MB for all {Snapshots:N0} rows");
        Assert.InRange(all, 1, PeakLimitBytes);
        Assert.True(all - third < GrowthLimitBytes, $"peak {all >> 20} MB for all rows, {third >> 20} MB for a third");
    }

    private async Task<long> PeakAsync(string format, DateTimeOffset to)
    {
        var path = Path.Combine(_folder, $"export.{format}");
        using var run = NetBetProcess.Start(
            _db, "export", "--from", First.ToString("O", CultureInfo.InvariantCulture), "--to", to.ToString("O", CultureInfo.InvariantCulture), "--format", format, "--out", path);
        var peak = await run.PeakResidentBytesAsync(Ct);
        Assert.True(await run.WaitAsync(Ct) == 0, run.Stderr);
        return peak;
    }
}
