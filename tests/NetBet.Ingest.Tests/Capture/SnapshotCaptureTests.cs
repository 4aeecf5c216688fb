using System.Text;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Betfair;
using NetBet.Ingest.Capture;

namespace NetBet.Ingest.Tests.Capture;

public sealed class SnapshotCaptureTests
{
    private static readonly RunnerRoles Roles = new(101, 102, 58805);
    private static readonly DateTimeOffset At = new(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

    /// <summary>A readable MATCH_ODDS book of selections 101 (home), 102 (away) and 58805 (draw).</summary>
    internal static string Book(string marketId) => $$$"""
        {"marketId":"{{{marketId}}}","status":"OPEN","inplay":false,"totalMatched":1234.5,"runners":[
        {"selectionId":101,"status":"ACTIVE","ex":{"availableToBack":[{"price":2.0,"size":10}],"availableToLay":[{"price":2.02,"size":12}]}},
        {"selectionId":102,"status":"ACTIVE","ex":{"availableToBack":[{"price":4.0,"size":5}],"availableToLay":[{"price":4.1,"size":6}]}},
        {"selectionId":58805,"status":"ACTIVE","ex":{"availableToBack":[{"price":3.5,"size":7}],"availableToLay":[{"price":3.6,"size":8}]}}]}
        """;

    [Fact]
    public void Capture_ReadableBook_StoresTheBytesAndTheRowTheEngineComputesFromThem()
    {
        var capture = new SnapshotCapture(SnapshotSources.HistoricalStream, "stream_v1");
        var bytes = Encoding.UTF8.GetBytes(Book("1.5"));

        var outcome = capture.Capture("1.5", bytes, Roles, At.AddTicks(7));

        var snapshot = Assert.IsType<SnapshotRecord>(outcome.Snapshot);
        Assert.Null(outcome.Problem);
        Assert.Equal(Book("1.5"), snapshot.RawPayload);
        Assert.Equal(At, snapshot.SnapshotAt); // microseconds, as PostgreSQL keeps them
        Assert.Equal((SnapshotSources.HistoricalStream, "stream_v1", "OPEN", 1234.5, false), (snapshot.Source, snapshot.CaptureVersion, snapshot.Status, snapshot.TotalMatched, snapshot.Inplay));
        var expected = MetricEngine.Compute(MarketBookReader.Read(Encoding.UTF8.GetBytes(snapshot.RawPayload!)), Roles).Row!;
        Assert.All(MetricColumns.Names, c => Assert.Equal(expected[c], snapshot.Derived![c]));
        Assert.Empty(capture.Skipped);
        Assert.Empty(capture.NoDerivedRow);
    }

    [Fact]
    public void Capture_UnreadableBook_IsCountedNotStored()
    {
        var capture = new SnapshotCapture(SnapshotSources.RestListMarketBook, "v1");

        var outcome = capture.Capture("1.5", "{\"marketId\":\"1.5\",\"runners\":7}"u8, Roles, At);

        Assert.Null(outcome.Snapshot);
        Assert.NotNull(outcome.Problem);
        Assert.Equal(1, capture.Skipped[SnapshotCapture.UnreadableBook]);
    }

    [Fact]
    public void Capture_BookWithoutARoleRunner_IsStoredWithoutDerivedRowAndCountsTheEngineReason()
    {
        var capture = new SnapshotCapture(SnapshotSources.RestListMarketBook, "v1");
        capture.Skip("not 3 runners", 2);

        var outcome = capture.Capture("1.5", Encoding.UTF8.GetBytes(Book("1.5")), new RunnerRoles(101, 102, 999), At);

        Assert.NotNull(outcome.Snapshot);
        Assert.Null(outcome.Snapshot.Derived);
        Assert.Equal(1, Assert.Single(capture.NoDerivedRow).Value);
        Assert.Equal(2, capture.Skipped["not 3 runners"]);
    }

    [Fact]
    public void Metadata_CatalogueAndDefinition_MapTheSameFactsTheSameWay()
    {
        var catalogue = new MarketCatalogue("1.5", "Match Odds", At, 10, null,
            [new RunnerCatalogue(101, "Arsenal", 0, 1), new RunnerCatalogue(102, "Chelsea", 0, 2), new RunnerCatalogue(58805, "The Draw", 0, 3)],
            null, new CompetitionInfo("10932509", "English Premier League"), new EventInfo("99", "Arsenal v Chelsea", "GB", "Europe/London", At));
        var definition = new MarketDefinition
        {
            Name = "Match Odds", MarketTime = At, EventTypeId = "1", EventId = "99", EventName = "Arsenal v Chelsea",
            OpenDate = At, CountryCode = "GB", Timezone = "Europe/London",
            Runners = [new RunnerDefinition(101, 0, 1, "ACTIVE", "Arsenal"), new RunnerDefinition(102, 0, 2, "ACTIVE", "Chelsea"), new RunnerDefinition(58805, 0, 3, "ACTIVE", "The Draw")],
        };

        var fromCatalogue = MarketMetadataMapping.FromCatalogue(catalogue, Roles, At);
        var fromDefinition = MarketMetadataMapping.FromDefinition("1.5", definition, Roles, At);

        // Streams never carry the competition; everything else agrees.
        Assert.Equal(fromCatalogue with { CompetitionId = null, CompetitionName = null }, fromDefinition);
        Assert.Equal(("Arsenal", "Chelsea", "The Draw", "1", "Soccer"), (fromCatalogue.HomeRunnerName, fromCatalogue.AwayRunnerName, fromCatalogue.DrawRunnerName, fromCatalogue.SportId, fromCatalogue.SportName));
        Assert.Equal(Roles, fromDefinition.Roles);
        Assert.Equal("English Premier League", fromCatalogue.CompetitionName);
    }
}
