using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Web.Tests.Ui;

/// <summary>
/// A market that goes in play and is then suspended with empty books, written once per run by the UI tests that
/// need it. It starts 60 days before the run in a league of its own, so no other test's window or list sees it.
/// </summary>
internal static class SuspendedMarket
{
    public const string MarketId = "1.900000099";
    private const long FirstSelection = 991;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _written;

    /// <summary>Snapshot times, oldest first: 0-2 open pre-match, 3 open in play (the last open book), 4-5 suspended, empty.</summary>
    public static List<DateTimeOffset> Times { get; } = [];

    /// <summary>The last open snapshot's best back prices (home, away, draw).</summary>
    public static (double Home, double Away, double Draw) LastOpenBack => (2.3, 3.9, 3.45);

    public static async Task EnsureAsync(WebFixture web, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_written)
            {
                return;
            }

            var start = web.Seed.Today.AddDays(-60).AddHours(15);
            var roles = new RunnerRoles(FirstSelection, FirstSelection + 1, FirstSelection + 2);
            var metadata = new MarketMetadata(MarketId)
            {
                MarketName = "Match Odds",
                MarketStartTime = start,
                EventName = "Pause Town v Halt United",
                CompetitionId = "998",
                CompetitionName = "Suspension Test League",
                HomeRunnerName = "Pause Town",
                AwayRunnerName = "Halt United",
                DrawRunnerName = "The Draw",
            }.WithRoles(roles);
            var snapshots = new List<SnapshotRecord>();
            for (var i = 0; i < 6; i++)
            {
                var at = start.AddMinutes(-3 + i);
                Times.Add(at);
                var open = i < 4;
                var shift = open ? (3 - i) * 0.02 : 0;
                var json = open
                    ? BookJson.Create(MarketId, i >= 3, "OPEN", 5_000 + i,
                        new BookJson.Runner(FirstSelection, [(LastOpenBack.Home + shift, 100)], [(LastOpenBack.Home + shift + 0.02, 50)]),
                        new BookJson.Runner(FirstSelection + 1, [(LastOpenBack.Away + shift, 80)], [(LastOpenBack.Away + shift + 0.1, 40)]),
                        new BookJson.Runner(FirstSelection + 2, [(LastOpenBack.Draw + shift, 60)], [(LastOpenBack.Draw + shift + 0.05, 30)]))
                    : BookJson.Create(MarketId, true, "SUSPENDED", 5_004,
                        new BookJson.Runner(FirstSelection, [], []),
                        new BookJson.Runner(FirstSelection + 1, [], []),
                        new BookJson.Runner(FirstSelection + 2, [], []));
                snapshots.Add(new SnapshotRecord(MarketId, at)
                {
                    RawPayload = json,
                    TotalMatched = 5_000 + i,
                    Inplay = i >= 3,
                    Status = open ? "OPEN" : "SUSPENDED",
                    DepthLimit = MetricColumns.DepthLimit,
                    Derived = MetricEngine.Compute(MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(json)), roles).Row,
                });
            }

            await using var dataSource = NpgsqlDataSource.Create(web.ConnectionString);
            await new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance).WriteAsync(new SnapshotBatch([metadata], snapshots), cancellationToken);
            _written = true;
        }
        finally
        {
            Gate.Release();
        }
    }
}
