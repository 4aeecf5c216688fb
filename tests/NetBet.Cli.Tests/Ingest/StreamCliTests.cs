using NetBet.Exchange;

namespace NetBet.Cli.Tests.Ingest;

/// <summary><c>netbet ingest stream</c> end to end: the built tool against the simulator's stream over TLS.</summary>
public sealed class StreamCliTests(CliDatabaseFixture database) : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ExchangeSimulator _simulator = null!;
    private string _caPath = "";

    // Each run its own spool, so no batch of another test (or an earlier run) is replayed into this one's database.
    private readonly string _spool = Directory.CreateTempSubdirectory("netbet-cli-stream-spool-").FullName;

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
        Directory.Delete(_spool, recursive: true);
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
    public async Task IngestStream_DatabaseAway_KeepsEveryBatchInTheSpoolAndTheNextRunStoresThem()
    {
        var spool = Directory.CreateTempSubdirectory("netbet-cli-stream-spool-").FullName;
        try
        {
            // No database at all: every batch goes to the spool, none is lost.
            var away = await NetBetProcess.RunAsync("Host=127.0.0.1;Port=1;Database=none;Username=none;Password=none", Ct,
                [.. StreamArgs("4s", spool), "--every", "1s", "--heartbeat-ms", "500"]);
            Assert.True(away.ExitCode == 0, away.Stderr);
            Assert.Contains("0 snapshots stored", away.Stdout, StringComparison.Ordinal);
            var spooled = Directory.GetFiles(spool, "*.spool");
            var firstRunEnded = DateTimeOffset.UtcNow;
            Assert.NotEmpty(spooled);

            var connectionString = await database.CreateBaseSchemaDatabaseAsync(Ct);
            Assert.Equal(0, (await NetBetProcess.RunAsync(connectionString, Ct, "migrate")).ExitCode);
            var status = await NetBetProcess.RunAsync(connectionString, Ct, "status", "--stream-spool", spool);
            Assert.Matches($@"Stream spool:\s+{spooled.Length} batches, [1-9][\d,]* snapshots waiting", status.Stdout);

            // The next run replays the backlog first, then records as usual.
            var back = await NetBetProcess.RunAsync(connectionString, Ct, [.. StreamArgs("2s", spool), "--every", "1s", "--heartbeat-ms", "500"]);
            Assert.True(back.ExitCode == 0, back.Stderr);
            Assert.Empty(Directory.GetFiles(spool, "*.spool"));
            await using var connection = new Npgsql.NpgsqlConnection(connectionString);
            await connection.OpenAsync(Ct);
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT count(*) FROM market_book_snapshots s JOIN market_derived_metrics m USING (snapshot_id) WHERE s.source = 'exchange_stream' AND s.snapshot_at < @ended", connection);
            command.Parameters.AddWithValue("ended", firstRunEnded);

            // The first run's books, stored with their derived rows recomputed from the spooled payloads.
            Assert.True((long)(await command.ExecuteScalarAsync(Ct))! > 0);
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
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

    private IEnumerable<string> StreamArgs(string duration, string? spool = null) =>
    [
        "ingest", "stream",
        "--endpoint", _simulator.BaseUrl.AbsoluteUri,
        "--stream-endpoint", $"127.0.0.1:{_simulator.StreamPort}",
        "--stream-ca", _caPath,
        "--duration", duration,
        "--spool", spool ?? _spool,
    ];
}
