using NetBet.Data.Export;

namespace NetBet.Cli.Tests.Export;

/// <summary>The README's column list of a snapshot export is the code's, name and type, in order.</summary>
public sealed class ReadmeColumnsTests
{
    [Fact]
    public void Readme_SnapshotExportColumns_MatchTheCode()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("```text\nmarket_id string\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```text block starting with market_id");
        var block = readme[(start + "```text\n".Length)..readme.IndexOf("```", start + 3, StringComparison.Ordinal)];

        var expected = SnapshotExportRow.Columns.Select(c => $"{c.Name} {TypeName(c.Type)}");

        Assert.Equal(expected, block.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string TypeName(ExportType type) => type switch
    {
        ExportType.Text => "string",
        ExportType.Timestamp => "timestamp[us, UTC]",
        ExportType.Real => "double",
        ExportType.Whole => "int64",
        ExportType.Boolean => "boolean",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

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
