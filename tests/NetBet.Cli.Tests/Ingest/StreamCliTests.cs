using NetBet.Exchange;

namespace NetBet.Cli.Tests.Ingest;

/// <summary><c>netbet ingest stream</c> end to end: the built tool against the simulator's stream over TLS.</summary>
public sealed class StreamCliTests(CliDatabaseFixture database) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ExchangeSimulator _simulator = null!;
    private string _caPath = "";

    public async ValueTask InitializeAsync()
    {
        _simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Markets = 8, StreamPort = 0 }, TimeProvider.System, null, Ct);
        _caPath = Path.Combine(Path.GetTempPath(), $"netbet-cli-stream-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(_caPath, _simulator.StreamCertificatePem, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _simulator.DisposeAsync();
        File.Delete(_caPath);
    }

    [Fact]
    public async Task IngestStream_AuthenticationRefused_ExitsFourNamingTheErrorCode()
    {
        _simulator.Faults.StreamAuthFail = true;
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(connectionString, Ct, [.. StreamArgs("30s")]);

        Assert.Equal(4, exitCode);
        Assert.Contains("NOT_AUTHORIZED", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestStream_ForADuration_StoresSnapshotsRecordsAndStatusShowsTheClk()
    {
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        var migrated = await NetBetProcess.RunAsync(connectionString, Ct, "migrate");
        Assert.Equal(0, migrated.ExitCode);
        var record = Directory.CreateTempSubdirectory("netbet-cli-recording-").FullName;
        try
        {
            var (exitCode, stdout, stderr) = await NetBetProcess.RunAsync(connectionString, Ct,
                [.. StreamArgs("5s"), "--every", "1s", "--heartbeat-ms", "500", "--record", record]);

            Assert.True(exitCode == 0, stderr);
            Assert.Matches(@"Stream: 8 markets, \d+ messages, [1-9]\d* snapshots stored", stdout);
            Assert.NotEmpty(Directory.EnumerateFiles(record, "*.gz", SearchOption.AllDirectories));

            var status = await NetBetProcess.RunAsync(connectionString, Ct, "status");
            Assert.Matches(@"Last stream:\s+\d{4}-\d\d-\d\d .*clk \d+", status.Stdout);
        }
        finally
        {
            Directory.Delete(record, recursive: true);
        }
    }

    [Fact]
    public async Task IngestStream_EveryBelowOneSecond_IsRefusedAsBadInput()
    {
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        var (exitCode, _, stderr) = await NetBetProcess.RunAsync(connectionString, Ct, [.. StreamArgs("5s"), "--every", "500ms"]);

        Assert.Equal(2, exitCode);
        Assert.Contains("--every", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestStream_StreamCaThatIsNotACertificate_IsRefusedAsBadInput()
    {
        var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
        var notACertificate = Path.GetTempFileName();
        await File.WriteAllTextAsync(notACertificate, "not a certificate", Ct);
        try
        {
            var args = StreamArgs("5s").Select(a => a == _caPath ? notACertificate : a).ToArray();
            var (exitCode, _, stderr) = await NetBetProcess.RunAsync(connectionString, Ct, args);

            Assert.Equal(2, exitCode);
            Assert.Contains("--stream-ca", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(notACertificate);
        }
    }

    private IEnumerable<string> StreamArgs(string duration) =>
    [
        "ingest", "stream",
        "--endpoint", _simulator.BaseUrl.AbsoluteUri,
        "--stream-endpoint", $"127.0.0.1:{_simulator.StreamPort}",
        "--stream-ca", _caPath,
        "--duration", duration,
    ];
}
