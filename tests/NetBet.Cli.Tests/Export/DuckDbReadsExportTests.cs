using NetBet.Data.Export;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// Exports read back by DuckDB, a tool analysts use (npm's <c>@duckdb/node-api</c>, restored into tests/duckdb by this
/// project's build from its package-lock.json): column names, DuckDB's types, the row count and the values, NULLs as
/// NULL. Node.js missing fails these tests; it never skips them.
/// </summary>
public sealed class DuckDbReadsExportTests(CliDatabaseFixture fixture) : ExportReaderTests(fixture, "duckdb")
{
    [Fact]
    public async Task Parquet_ReadByDuckDb_HasTheTypesAndEveryStoredValue()
    {
        var read = await ReadWithDuckDbAsync(await ExportAsync("parquet"), "parquet");

        await AssertReadAsync(read, DuckDbType);
    }

    [Fact]
    public async Task Csv_ReadByDuckDb_DetectsTheTypesAndReadsEveryStoredValue()
    {
        // DuckDB's sniffer, like pandas, takes market ids such as 1.250000000 for numbers; the README says to read
        // market_id as text, and so does this test. Every other type is detected from the text alone.
        var read = await ReadWithDuckDbAsync(await ExportAsync("csv"), "csv", "types={'market_id':'VARCHAR'}");

        await AssertReadAsync(read, DuckDbType);
    }

    private static string DuckDbType(ExportType type) => type switch
    {
        ExportType.Text => "VARCHAR",
        ExportType.Timestamp => "TIMESTAMP WITH TIME ZONE",
        ExportType.Real => "DOUBLE",
        ExportType.Whole => "BIGINT",
        ExportType.Boolean => "BOOLEAN",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Runs tests/duckdb/read-export.mjs on <paramref name="path"/> and parses what DuckDB saw.</summary>
    private static async Task<ReaderRead> ReadWithDuckDbAsync(string path, string format, string? csvOptions = null)
    {
        var folder = Path.Combine(ExportReading.RepositoryRoot(), "tests", "duckdb");
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "@duckdb", "node-api")),
            $"{folder}/node_modules has no @duckdb/node-api: the build of NetBet.Cli.Tests restores it with `npm ci` (is npm installed?)");
        string[] arguments = csvOptions is null ? ["read-export.mjs", path, format] : ["read-export.mjs", path, format, csvOptions];
        var json = await ExportReading.RunAsync("node", arguments, folder, "node (Node.js) is not installed: ./test.sh installs Debian's nodejs and npm", Ct);
        return ReaderRead.Parse(json);
    }
}
