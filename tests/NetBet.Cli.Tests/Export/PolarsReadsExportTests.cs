using NetBet.Data.Export;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// Exports read back by polars (npm's <c>nodejs-polars</c>, the same Rust engine as Python's polars, restored into
/// tests/duckdb with DuckDB) with the README's reading code: column names in order, polars' dtypes, the row count and
/// the values, NULLs as null. Node.js missing fails these tests; it never skips them.
/// </summary>
public sealed class PolarsReadsExportTests(CliDatabaseFixture fixture) : ExportReaderTests(fixture, "polars")
{
    // The README's polars lines, which tests/duckdb/read-export-polars.mjs runs in nodejs-polars' spelling.
    private const string ReadmeParquet = """df = pl.read_parquet("epl.parquet")""";
    private const string ReadmeCsv = """df = pl.read_csv("match.csv", schema_overrides={"market_id": pl.String}, try_parse_dates=True)""";

    [Fact]
    public async Task Parquet_ReadByPolars_HasTheTypesAndEveryStoredValue()
    {
        var read = await ReadWithPolarsAsync(await ExportAsync("parquet"), "parquet");

        await AssertReadAsync(read, PolarsType);
    }

    [Fact]
    public async Task Csv_ReadByPolarsAsTheReadmeSays_ParsesTheTypesAndReadsEveryStoredValue()
    {
        // market_id given as text, timestamps parsed (try_parse_dates), every other type inferred from the text.
        var read = await ReadWithPolarsAsync(await ExportAsync("csv"), "csv");

        await AssertReadAsync(read, PolarsType);
    }

    [Fact]
    public void Readme_PolarsReadingCode_IsWhatTheseTestsRun()
    {
        var readme = File.ReadAllText(Path.Combine(ExportReading.RepositoryRoot(), "README.md"));

        Assert.Contains(ReadmeParquet, readme, StringComparison.Ordinal);
        Assert.Contains(ReadmeCsv, readme, StringComparison.Ordinal);
    }

    private static string PolarsType(ExportType type) => type switch
    {
        ExportType.Text => "String",
        ExportType.Timestamp => "Datetime(us, UTC)",
        ExportType.Real => "Float64",
        ExportType.Whole => "Int64",
        ExportType.Boolean => "Bool",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Runs tests/duckdb/read-export-polars.mjs on <paramref name="path"/> and parses what polars saw.</summary>
    private static async Task<ReaderRead> ReadWithPolarsAsync(string path, string format)
    {
        var folder = Path.Combine(ExportReading.RepositoryRoot(), "tests", "duckdb");
        Assert.True(
            Directory.Exists(Path.Combine(folder, "node_modules", "nodejs-polars")),
            $"{folder}/node_modules has no nodejs-polars: the build of NetBet.Cli.Tests restores it with `npm ci` (is npm installed?)");
        var json = await ExportReading.RunAsync("node", ["read-export-polars.mjs", path, format], folder, "node (Node.js) is not installed: ./test.sh installs Debian's nodejs and npm", Ct);
        return ReaderRead.Parse(json);
    }
}
