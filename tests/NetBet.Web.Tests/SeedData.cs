using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using NetBet.Data.Snapshots;
using NetBet.Data.State;
using Npgsql;

namespace NetBet.Web.Tests;

/// <summary>
/// The test database's contents, with times relative to the UTC day the run starts (so default windows see them):
/// <list type="bullet">
/// <item>English Premier League (id 10932509): <see cref="HistoryMarket"/>, a day of snapshots every 4 min 7 s whose
/// older half lost its 18 newer columns and got them back from the backfill; <see cref="UpcomingMarket"/> tomorrow.</item>
/// <item>Spanish La Liga (id 117): <see cref="LegacyMarket"/>, in play, 18 newer columns NULL and never backfilled.</item>
/// <item>No competition at all: <see cref="UnknownMarket"/>. A name without id: "Friendly 50% Cup_" (<see cref="FriendlyMarket"/>).</item>
/// <item><see cref="OldMarket"/> started 30 days ago, outside the default window.</item>
/// </list>
/// </summary>
internal sealed class SeedData
{
    public const string HistoryMarket = "1.900000001";
    public const string LegacyMarket = "1.900000002";
    public const string UpcomingMarket = "1.900000003";
    public const string UnknownMarket = "1.900000004";
    public const string FriendlyMarket = "1.900000005";
    public const string OldMarket = "1.900000006";
    public const string EplId = "10932509";
    public const string LaLigaId = "117";
    public const string FriendlySlug = "friendly-50-cup";

    public static readonly TimeSpan HistoryStep = TimeSpan.FromSeconds(247);

    private SeedData(DateTimeOffset today) => Today = today;

    /// <summary>UTC midnight of the run's day.</summary>
    public DateTimeOffset Today { get; }

    /// <summary>Snapshot times of <see cref="HistoryMarket"/>, oldest first.</summary>
    public List<DateTimeOffset> HistoryTimes { get; } = [];

    /// <summary>Snapshots of <see cref="HistoryMarket"/> that were NULLed and then backfilled (the older half).</summary>
    public DateTimeOffset BackfilledBefore { get; private set; }

    public DateTimeOffset PollTickAt { get; private set; }

    public static async Task<SeedData> WriteAsync(NpgsqlDataSource dataSource, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var seed = new SeedData(new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero));
        var writer = new SnapshotWriter(dataSource, NullLogger<SnapshotWriter>.Instance);
        var t = seed.Today;

        var metadata = new List<MarketMetadata>
        {
            Market(HistoryMarket, "Arsenal v Chelsea", EplId, "English Premier League", t.AddHours(20), 101, "Arsenal", "Chelsea"),
            Market(UpcomingMarket, "Liverpool v Everton", EplId, "English Premier League", t.AddDays(1).AddHours(15), 301, "Liverpool", "Everton"),
            Market(LegacyMarket, "Real Madrid v Barcelona", LaLigaId, "Spanish La Liga", t.AddHours(18), 201, "Real Madrid", "Barcelona"),
            Market(UnknownMarket, "Mystery FC v Other FC", null, null, t.AddHours(12), 401, "Mystery FC", "Other FC"),
            Market(FriendlyMarket, "Club A v Club B", null, "Friendly 50% Cup_", t.AddHours(13), 501, "Club A", "Club B"),
            Market(OldMarket, "Old Town v New Town", "999", "Old League", t.AddDays(-30), 601, "Old Town", "New Town"),
        };

        var snapshots = new List<SnapshotRecord>();
        var start = t.AddHours(-4).AddSeconds(13);
        for (var i = 0; start + (HistoryStep * i) < t.AddHours(20); i++)
        {
            var at = start + (HistoryStep * i);
            seed.HistoryTimes.Add(at);
            snapshots.Add(Snapshot(HistoryMarket, at, 101, i, inplay: false));
        }

        seed.BackfilledBefore = seed.HistoryTimes[seed.HistoryTimes.Count / 2];
        for (var i = 0; i < 8; i++)
        {
            snapshots.Add(Snapshot(LegacyMarket, t.AddHours(17).AddMinutes(10 * i), 201, i, inplay: i >= 6));
        }

        snapshots.Add(Snapshot(UpcomingMarket, t.AddHours(-1), 301, 0, inplay: false));
        snapshots.Add(Snapshot(UnknownMarket, t.AddHours(-1), 401, 0, inplay: false));
        snapshots.Add(Snapshot(FriendlyMarket, t.AddHours(-1), 501, 0, inplay: false));
        snapshots.Add(Snapshot(OldMarket, t.AddDays(-30), 601, 0, inplay: false));

        await writer.WriteAsync(new SnapshotBatch(metadata, snapshots), cancellationToken);

        // History as an older ingestion left it: the 18 later columns NULL on the older half of the history market
        // and on the whole legacy market. The backfill then repairs the history market only.
        var nulls = string.Join(", ", MetricSchema.AddedAfterBaseSchema.Select(c => $"{c} = null"));
        await using (var command = dataSource.CreateCommand(
            $"update market_derived_metrics set {nulls} where (market_id = $1 and snapshot_at < $2) or market_id = $3"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = HistoryMarket });
            command.Parameters.Add(new NpgsqlParameter { Value = seed.BackfilledBefore });
            command.Parameters.Add(new NpgsqlParameter { Value = LegacyMarket });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var backfill = await new Backfiller(dataSource, NullLogger<Backfiller>.Instance)
            .RunAsync(new BackfillOptions { MarketId = HistoryMarket }, null, cancellationToken);
        if (backfill.Updated == 0)
        {
            throw new InvalidOperationException("The backfill filled no row of the history market.");
        }

        await new ServiceState(dataSource).SetJsonAsync("poller.last_tick", """{"at":"2026-01-01T00:00:00Z"}""", cancellationToken);
        seed.PollTickAt = (await new ServiceState(dataSource).GetEntryAsync("poller.last_tick", cancellationToken))!.UpdatedAt;
        return seed;
    }

    private static MarketMetadata Market(
        string marketId, string eventName, string? competitionId, string? competitionName, DateTimeOffset start, long firstSelection,
        string home, string away) =>
        new MarketMetadata(marketId)
        {
            MarketName = "Match Odds",
            MarketStartTime = start,
            SportId = "1",
            SportName = "Soccer",
            EventId = "3" + marketId[2..],
            EventName = eventName,
            CountryCode = competitionId is null ? null : "GB",
            CompetitionId = competitionId,
            CompetitionName = competitionName,
            Timezone = "Europe/London",
            HomeRunnerName = home,
            AwayRunnerName = away,
            DrawRunnerName = "The Draw",
        }.WithRoles(new RunnerRoles(firstSelection, firstSelection + 1, firstSelection + 2));

    /// <summary>A snapshot whose prices drift with <paramref name="step"/>, with the engine's derived row.</summary>
    private static SnapshotRecord Snapshot(string marketId, DateTimeOffset at, long firstSelection, int step, bool inplay)
    {
        var drift = (step % 20) * 0.02;
        BookJson.Runner Runner(long id, double back, double size) => new(
            id,
            [(back + drift, size + step), (back + drift - 0.02, size * 2), (back + drift - 0.04, size * 3), (back + drift - 0.06, 5)],
            [(back + drift + 0.02, size / 2), (back + drift + 0.04, size), (back + drift + 0.06, 7)]);
        var json = BookJson.Create(
            marketId,
            inplay,
            "OPEN",
            10_000 + (step * 250.5),
            Runner(firstSelection, 2.1, 120),
            Runner(firstSelection + 1, 3.6, 80),
            Runner(firstSelection + 2, 3.3, 60.25));
        var roles = new RunnerRoles(firstSelection, firstSelection + 1, firstSelection + 2);
        var derived = MetricEngine.Compute(MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(json)), roles).Row;
        return new SnapshotRecord(marketId, at)
        {
            RawPayload = json,
            TotalMatched = 10_000 + (step * 250.5),
            Inplay = inplay,
            Status = "OPEN",
            DepthLimit = MetricColumns.DepthLimit,
            Derived = derived,
        };
    }
}
