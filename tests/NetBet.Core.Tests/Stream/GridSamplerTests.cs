using System.Text;
using NetBet.Core.Stream;

namespace NetBet.Core.Tests.Stream;

public sealed class GridSamplerTests
{
    private const string Definition = """
        "marketDefinition":{"eventTypeId":"1","marketType":"MATCH_ODDS","status":"STATUS","inPlay":false,
        "runners":[{"id":11,"sortPriority":1},{"id":22,"sortPriority":2},{"id":58805,"sortPriority":3}]}
        """;

    private static string Image(string id, long pt, string status = "OPEN", string ct = "SUB_IMAGE") =>
        $$"""{"op":"mcm","clk":"{{pt}}","initialClk":"i{{pt}}","pt":{{pt}},"ct":"{{ct}}","mc":[{"id":"{{id}}","img":true,{{Definition.Replace("STATUS", status, StringComparison.Ordinal).ReplaceLineEndings("")}},"rc":[{"id":11,"atb":[[2.0,10]]}]}]}""";

    private static string Delta(string id, long pt, double size) =>
        $$"""{"op":"mcm","clk":"{{pt}}","pt":{{pt}},"mc":[{"id":"{{id}}","rc":[{"id":11,"atb":[[2.0,{{size}}]]}]}]}""";

    private static string Heartbeat(long pt) => $$"""{"op":"mcm","clk":"{{pt}}","pt":{{pt}},"ct":"HEARTBEAT"}""";

    private static string Status(string id, long pt, string status) =>
        $$"""{"op":"mcm","clk":"{{pt}}","pt":{{pt}},"mc":[{"id":"{{id}}",{{Definition.Replace("STATUS", status, StringComparison.Ordinal).ReplaceLineEndings("")}}}]}""";

    // Every due snapshot as "market@time:size-of-the-2.0-back-level", the book as the sampler saw it.
    private static List<string> Run(long everyMs, params string[] lines)
    {
        var cache = new StreamCache();
        var grid = new GridSampler(TimeSpan.FromMilliseconds(everyMs));
        var due = new List<DueSnapshot>();
        var seen = new List<string>();
        void Take()
        {
            foreach (var d in due)
            {
                var back = cache.Find(d.MarketId)?.FindRunner(11)?.AvailableToBack;
                var size = back is { Count: > 0 } ? back[0].Size : (double?)null;
                seen.Add($"{d.MarketId}@{d.At}:{size}{(d.Trigger == SnapshotTrigger.StatusChange ? "!" : "")}");
            }

            due.Clear();
        }

        foreach (var line in lines)
        {
            var result = cache.Apply(Encoding.UTF8.GetBytes(line), m =>
            {
                grid.BeforeApply(m.PublishTime!.Value, m.ChangeType, due);
                Take();
            });
            if (result.Kind != StreamMessageKind.SegmentPending)
            {
                grid.AfterApply(cache, result, due);
                Take();
            }
        }

        return seen;
    }

    [Fact]
    public void Grid_EveryMultiple_CarriesTheBookForwardAndIncludesChangesAtThatInstant()
    {
        var seen = Run(1000, Image("1.1", 500), Delta("1.1", 1000, 20), Heartbeat(3500), Delta("1.1", 3600, 30), Heartbeat(4001));

        Assert.Equal(["1.1@1000:20", "1.1@2000:20", "1.1@3000:20", "1.1@4000:30"], seen);
    }

    [Fact]
    public void RemoveClosed_OnlyAfterTheClosingSnapshot_AndAgainWhenLaterLinesBringTheMarketBack()
    {
        var cache = new StreamCache();
        var grid = new GridSampler(TimeSpan.FromSeconds(1));
        var due = new List<DueSnapshot>();
        var removed = new List<MarketState>();
        void Apply(string line)
        {
            var result = cache.Apply(Encoding.UTF8.GetBytes(line), m => grid.BeforeApply(m.PublishTime!.Value, m.ChangeType, due));
            grid.AfterApply(cache, result, due);
            grid.RemoveClosed(cache, removed);
        }

        Apply(Image("1.1", 500));
        Apply(Status("1.1", 1500, "SUSPENDED"));
        Assert.NotNull(cache.Find("1.1"));
        Assert.Empty(removed);

        Apply(Status("1.1", 2500, "CLOSED"));
        Assert.Contains(due, d => d is { MarketId: "1.1", At: 2500, Trigger: SnapshotTrigger.StatusChange });
        Assert.Null(cache.Find("1.1"));
        Assert.Equal("1.1", Assert.Single(removed).MarketId);

        Apply(Delta("1.1", 3000, 0));
        Assert.Null(cache.Find("1.1"));
        Assert.False(grid.IsTracked("1.1"));
        Assert.Single(removed);
    }

    [Fact]
    public void StatusChange_IsDueAtItsPt_AndClosedMarketsLeaveTheGrid()
    {
        var seen = Run(1000, Image("1.1", 500), Status("1.1", 1500, "SUSPENDED"), Status("1.1", 2500, "CLOSED"), Heartbeat(5000));

        Assert.Equal(["1.1@1000:10", "1.1@1500:10!", "1.1@2000:10", "1.1@2500:10!"], seen);
    }

    [Fact]
    public void ResubDeltaOrImage_AfterAGap_InventsNoSnapshotsInTheGap()
    {
        var seen = Run(1000, Image("1.1", 500), Heartbeat(1200), Image("1.1", 4300), Heartbeat(5200));

        Assert.Equal(["1.1@1000:10", "1.1@5000:10"], seen);
    }

    [Fact]
    public void SubImage_MidStream_ReplacesTheWholeCache()
    {
        var cache = new StreamCache();
        cache.Apply(Encoding.UTF8.GetBytes(Image("1.1", 500)));
        cache.Apply(Encoding.UTF8.GetBytes(Delta("1.2", 600, 5)));
        var result = cache.Apply(Encoding.UTF8.GetBytes(Image("1.2", 700)));

        Assert.Equal(StreamChangeType.SubImage, result.ChangeType);
        Assert.Null(cache.Find("1.1"));
        Assert.Equal(10, cache.Find("1.2")!.FindRunner(11)!.AvailableToBack[0].Size);
        Assert.Equal("700", cache.Clk);
        Assert.Equal("i700", cache.InitialClk);
    }

    [Fact]
    public void SegmentedImage_IsAppliedAtSegEndWithTheFirstSegmentsChangeType()
    {
        var cache = new StreamCache();
        cache.Apply(Encoding.UTF8.GetBytes(Image("1.9", 100)));
        var start = cache.Apply(Encoding.UTF8.GetBytes(Image("1.1", 500).Replace("\"ct\":\"SUB_IMAGE\"", "\"ct\":\"SUB_IMAGE\",\"segmentType\":\"SEG_START\"", StringComparison.Ordinal)));
        var heartbeat = cache.Apply(Encoding.UTF8.GetBytes(Heartbeat(550)));
        var end = cache.Apply(Encoding.UTF8.GetBytes(Delta("1.2", 500, 7).Replace("\"pt\"", "\"segmentType\":\"SEG_END\",\"pt\"", StringComparison.Ordinal)));

        Assert.Equal(StreamMessageKind.SegmentPending, start.Kind);
        Assert.Equal(StreamMessageKind.Other, heartbeat.Kind);
        Assert.Equal(StreamMessageKind.MarketChange, end.Kind);
        Assert.Equal(StreamChangeType.SubImage, end.ChangeType);
        Assert.Equal(2, end.MarketChanges);
        Assert.Null(cache.Find("1.9"));
        Assert.NotNull(cache.Find("1.1"));
    }

    [Fact]
    public void ConflatedAndStaleFlags_AreReported()
    {
        var cache = new StreamCache();
        var result = cache.Apply(Encoding.UTF8.GetBytes("""{"op":"mcm","clk":"9","pt":100,"con":true,"status":503,"mc":[{"id":"1.1","rc":[{"id":11,"atb":[[2.0,1]]}]}]}"""));

        Assert.True(result.Conflated);
        Assert.Equal(503, result.Status);
        Assert.True(result.IsMarketChangeMessage);
    }
}
