using System.ComponentModel;
using System.Diagnostics;
using NetBet.Data.Export;

namespace NetBet.Cli.Tests.Export;

/// <summary>
/// A CSV export read back by pandas running the README's own <c>pd.read_csv</c> line (tests/pandas/read_export_csv.py):
/// column names in order, pandas' dtypes, the row count and the values, missing values where the database has NULL.
/// Parquet is not read here: Debian 12 packages pandas 1.5 but neither pyarrow nor fastparquet. Skips, saying why,
/// only when no python3 with pandas is installed; ./test.sh installs Debian's python3-pandas.
/// </summary>
public sealed class PandasReadsExportTests(CliDatabaseFixture fixture) : ExportReaderTests(fixture, "pandas")
{
    private const string ReadCsvStart = "df = pd.read_csv(\"match.csv\"";

    [Fact]
    public async Task Csv_ReadByPandasAsTheReadmeSays_HasTheTypesAndEveryStoredValue()
    {
        var python = await PythonWithPandasAsync();
        var code = ReadmeReadCsv();
        var csv = await ExportAsync("csv", "match.csv");
        var script = Path.Combine(ExportReading.RepositoryRoot(), "tests", "pandas", "read_export_csv.py");

        var json = await ExportReading.RunAsync(python, [script, csv, code], Folder, $"{python} is not installed", Ct);
        var read = ReaderRead.Parse(json);

        await AssertReadAsync(read, PandasType);
    }

    /// <summary>pandas' dtypes for the README's line: the given ones, parsed dates, and the rest inferred from the text.</summary>
    private static string PandasType(ExportType type) => type switch
    {
        ExportType.Text => "object",
        ExportType.Timestamp => "datetime64[ns, UTC]",
        ExportType.Real => "float64",
        ExportType.Whole => "int64",
        ExportType.Boolean => "boolean",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The README's statement that reads a CSV export with pandas, its lines as written.</summary>
    private static string ReadmeReadCsv()
    {
        var readme = File.ReadAllLines(Path.Combine(ExportReading.RepositoryRoot(), "README.md"));
        var starts = Enumerable.Range(0, readme.Length).Where(i => readme[i].StartsWith(ReadCsvStart, StringComparison.Ordinal)).ToList();
        Assert.True(starts.Count == 1, $"README.md should have one line starting {ReadCsvStart}, has {starts.Count}");

        // The statement goes on while a parenthesis is open.
        var statement = new List<string>();
        var open = 0;
        for (var i = starts[0]; i < readme.Length && (statement.Count == 0 || open > 0); i++)
        {
            statement.Add(readme[i]);
            open += readme[i].Count(c => c == '(') - readme[i].Count(c => c == ')');
        }

        Assert.True(open == 0, $"README.md's {ReadCsvStart} statement has unbalanced parentheses");
        return string.Join('\n', statement);
    }

    /// <summary>
    /// The first python3 that imports pandas: the one on PATH, else Debian's, which is where test.sh's python3-pandas
    /// goes when PATH's python3 is another (pyenv's, say).
    /// </summary>
    private static async Task<string> PythonWithPandasAsync()
    {
        var tried = new List<string>();
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            var start = new ProcessStartInfo(python, ["-c", "import pandas"]) { RedirectStandardError = true, UseShellExecute = false };
            try
            {
                using var process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync(Ct);
                await process.WaitForExitAsync(Ct);
                if (process.ExitCode == 0)
                {
                    return python;
                }

                tried.Add($"{python}: {(await stderr).Trim().Split('\n')[^1]}");
            }
            catch (Win32Exception)
            {
                tried.Add($"{python}: not installed");
            }
        }

        Assert.Skip($"no python3 with pandas ({string.Join("; ", tried)}): ./test.sh installs Debian's python3-pandas");
        throw new UnreachableException();
    }
}
