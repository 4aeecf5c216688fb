using NetBet.Cli.Database;
using NetBet.Cli.Hosting;
using NetBet.Data.Migrations;

namespace NetBet.Cli.Tests.Hosting;

/// <summary>Bad arguments are parse errors naming the option, found without running anything.</summary>
public sealed class ArgumentParsingTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("60s", 60_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("90", 90_000)]
    [InlineData("00:01:30", 90_000)]
    [InlineData(" 2S ", 2_000)]
    public void TryParse_ValidDuration_IsRead(string text, long expectedMs)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), duration);
    }

    [Theory]
    [InlineData("1e20s")]
    [InlineData("1e20")]
    [InlineData("NaNs")]
    [InlineData("NaN")]
    [InlineData("Infinityh")]
    [InlineData("-1s")]
    [InlineData("-00:00:01")]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5x")]
    public void TryParse_NoDuration_IsRefused(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData("ingest poll --interval 1e20s", "--interval", "is not a duration")]
    [InlineData("ingest poll --interval NaNs", "--interval", "is not a duration")]
    [InlineData("ingest poll --interval 500ms", "--interval", "outside 1 s..1 h")]
    [InlineData("ingest poll --interval 2h", "--interval", "outside 1 s..1 h")]
    [InlineData("ingest import a.jsonl --every 0.5s", "--every", "outside 1 s..1 d")]
    [InlineData("ingest import a.jsonl --every 25h", "--every", "outside 1 s..1 d")]
    [InlineData("ingest import a.jsonl --every NaNs", "--every", "is not a duration")]
    [InlineData("ingest import a.jsonl --batch-size 0", "--batch-size", "outside 1..100,000")]
    [InlineData("ingest import a.jsonl --batch-size 100001", "--batch-size", "outside 1..100,000")]
    [InlineData("backfill --batch-size 0", "--batch-size", "outside 1..100,000")]
    [InlineData("backfill --batch-size 100001", "--batch-size", "outside 1..100,000")]
    [InlineData("migrate --lock-timeout 0s", "--lock-timeout", "outside 1 ms..1 h")]
    [InlineData("migrate --lock-timeout 1e20s", "--lock-timeout", "is not a duration")]
    public void Parse_OutOfRangeOrUnparseable_IsAnErrorNamingTheOption(string commandLine, string option, string problem)
    {
        var result = NetBetCommand.Create().Parse(commandLine);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith(option + ":", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingest poll --interval 1s")]
    [InlineData("ingest poll --interval 1h")]
    [InlineData("ingest import a.jsonl --every 1s --batch-size 1")]
    [InlineData("ingest import a.jsonl --every 1d --batch-size 100000")]
    [InlineData("backfill --batch-size 100000")]
    [InlineData("migrate --lock-timeout 500ms")]
    public void Parse_BoundaryValues_AreAccepted(string commandLine)
    {
        Assert.Empty(NetBetCommand.Create().Parse(commandLine).Errors);
    }

    [Fact]
    public void Parse_MigrateOptions_AreReadAsDeclared()
    {
        var command = new MigrateCommand();
        var result = new System.CommandLine.RootCommand { command }.Parse("migrate --to 2026-02-06_base_schema --lock-timeout 2s --allow-out-of-order");

        Assert.Empty(result.Errors);
        Assert.Equal("2026-02-06_base_schema", result.GetValue(command.To));
        Assert.Equal(TimeSpan.FromSeconds(2), result.GetValue(command.LockTimeout));
        Assert.True(result.GetValue(command.AllowOutOfOrder));
    }

    [Fact]
    public void Parse_MigrateDefaults_AreFiveSecondsAndInOrder()
    {
        var command = new MigrateCommand();
        var result = new System.CommandLine.RootCommand { command }.Parse("migrate");

        Assert.Equal(MigrationOptions.DefaultLockTimeout, result.GetValue(command.LockTimeout));
        Assert.Equal(TimeSpan.FromSeconds(5), MigrationOptions.DefaultLockTimeout);
        Assert.False(result.GetValue(command.AllowOutOfOrder));
    }
}
