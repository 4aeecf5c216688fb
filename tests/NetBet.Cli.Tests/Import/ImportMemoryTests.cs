using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Cli.Tests.Import;

/// <summary>
/// <c>netbet ingest import</c> on a hostile file, run as a child process whose peak resident memory (VmHWM) is
/// read from /proc while it runs.
/// </summary>
public sealed class ImportMemoryTests(CliDatabaseFixture fixture) : IDisposable
{
    private const long PeakLimitBytes = 500L << 20;
    private const long Start = 1_770_000_000_000; // pt of the first line, ms since the Unix epoch

    private readonly string _temp = Directory.CreateTempSubdirectory("netbet-import-memory-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Import_LineOfAMillionOffLadderPrices_ReportsTheLineImportsTheRestInBoundedMemory()
    {
        var path = Path.Combine(_temp, "hostile.jsonl");
        await File.WriteAllTextAsync(path, HostileFile(), Ct);
        var db = await fixture.CreateBaseSchemaDatabaseAsync(Ct);
        await using (var dataSource = NpgsqlDataSource.Create(db))
        {
            await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, Ct);
        }

        using var run = NetBetProcess.Start(db, "ingest", "import", path);
        var peak = await run.PeakResidentBytesAsync(Ct);
        var exitCode = await run.WaitAsync(Ct);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{path}:2: price 2.000001 is not on Betfair's CLASSIC price ladder at $.mc[0].rc[0].atb[0]", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 markets imported", await run.Stdout, StringComparison.Ordinal);
        Assert.Contains("4 snapshots inserted", await run.Stdout, StringComparison.Ordinal);
        Assert.Contains(", 1 errors", await run.Stdout, StringComparison.Ordinal);
        await using (var connection = new NpgsqlConnection(db))
        {
            await connection.OpenAsync(Ct);
            await using var count = new NpgsqlCommand("select count(*) from market_book_snapshots where market_id = '1.1'", connection);
            Assert.Equal(4L, await count.ExecuteScalarAsync(Ct));
        }

        TestContext.Current.SendDiagnosticMessage($"peak resident memory of netbet ingest import: {peak >> 20} MB");
        Assert.InRange(peak, 1, PeakLimitBytes);
    }

    /// <summary>
    /// A kept MATCH_ODDS market (first snapshot), one line of a million distinct prices off the ladder (about 15 MB),
    /// then ordinary lines: two more intervals of exchange time and the close (three more snapshots).
    /// </summary>
    private static string HostileFile()
    {
        const string definition = """
            {"eventTypeId":"1","eventId":"30","eventName":"Home v Away","name":"Match Odds","marketType":"MATCH_ODDS","bettingType":"ODDS",
            "status":"STATUS","inPlay":false,"marketTime":"2026-02-06T15:00:00.000Z","openDate":"2026-02-06T15:00:00.000Z","betDelay":0,"version":7,
            "runners":[{"id":11,"sortPriority":1,"status":"ACTIVE","name":"Home"},{"id":22,"sortPriority":2,"status":"ACTIVE","name":"Away"},
            {"id":58805,"sortPriority":3,"status":"ACTIVE","name":"The Draw"}]}
            """;
        var open = definition.ReplaceLineEndings("").Replace("STATUS", "OPEN", StringComparison.Ordinal);
        var closed = definition.ReplaceLineEndings("").Replace("STATUS", "CLOSED", StringComparison.Ordinal);
        var c = CultureInfo.InvariantCulture;
        var file = new StringBuilder();
        file.Append(c, $$"""{"op":"mcm","pt":{{Start}},"mc":[{"id":"1.1","img":true,"marketDefinition":{{open}},"rc":[{"id":11,"atb":[[2.0,10]],"atl":[[2.02,5]]},{"id":22,"atb":[[3.5,10]],"atl":[[3.6,5]]},{"id":58805,"atb":[[3.3,10]],"atl":[[3.4,5]]}]}]}""").Append('\n');

        // Every price has an odd sixth decimal, so none is one of the ladder's prices (all whole hundredths).
        file.Append(c, $$"""{"op":"mcm","pt":{{Start + 1000}},"mc":[{"id":"1.1","rc":[{"id":11,"atb":[""");
        for (var i = 0; i < 1_000_000; i++)
        {
            file.Append(i > 0 ? "," : "").Append(c, $"[{2 + (((2 * i) + 1) / 1_000_000m)},1]");
        }

        file.Append("]}]}]}\n");
        file.Append(c, $$"""{"op":"mcm","pt":{{Start + 61_000}},"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[1.99,4]]}]}]}""").Append('\n');
        file.Append(c, $$"""{"op":"mcm","pt":{{Start + 122_000}},"mc":[{"id":"1.1","rc":[{"id":22,"atl":[[3.65,7]]}]}]}""").Append('\n');
        file.Append(c, $$"""{"op":"mcm","pt":{{Start + 130_000}},"mc":[{"id":"1.1","marketDefinition":{{closed}}}]}""").Append('\n');
        return file.ToString();
    }
}
