namespace NetBet.Cli.Tests.Hosting;

/// <summary>The real binary: bad arguments exit 2 with the option named on stderr, before any database work.</summary>
public sealed class BadArgumentsProcessTests
{
    // Never reached: parse errors stop before a connection is opened.
    private const string NoDatabase = "Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("--interval", "ingest", "poll", "--interval", "1e20s")]
    [InlineData("--every", "ingest", "import", "a.jsonl", "--every", "2d")]
    [InlineData("--batch-size", "backfill", "--batch-size", "100001")]
    [InlineData("--lock-timeout", "migrate", "--lock-timeout", "NaNs")]
    [InlineData("--no-such-option", "status", "--no-such-option")]
    public async Task Run_BadArgument_ExitsTwoNamingIt(string named, params string[] args)
    {
        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(NoDatabase, Ct, args);

        Assert.Equal(ExitCodes.InvalidInput, exitCode);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
    }
}
