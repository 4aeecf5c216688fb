using NetBet.Core.Books;
using NetBet.Core.Stream;
using NetBet.Data.Snapshots;
using NetBet.Ingest.Betfair;

namespace NetBet.Ingest.Capture;

/// <summary>
/// The one mapping from what Betfair says about a market (a listMarketCatalogue entry, or a stream market
/// definition as historical files and the Exchange Stream API carry it) to the stored <see cref="MarketMetadata"/>.
/// </summary>
public static class MarketMetadataMapping
{
    /// <summary>Betfair's event type id and name of football.</summary>
    public const string SoccerId = "1", SoccerName = "Soccer";

    /// <summary>Metadata of a catalogue entry (the poller asks for football only, so the sport is known without EVENT_TYPE).</summary>
    public static MarketMetadata FromCatalogue(MarketCatalogue market, RunnerRoles roles, DateTimeOffset seenAt)
    {
        ArgumentNullException.ThrowIfNull(market);
        var runners = market.Runners ?? [];
        return Complete(new MarketMetadata(market.MarketId)
        {
            MarketName = market.MarketName,
            MarketStartTime = market.MarketStartTime ?? market.Description?.MarketTime,
            SportId = market.EventType?.Id ?? SoccerId,
            SportName = market.EventType?.Name ?? SoccerName,
            EventId = market.Event?.Id,
            EventName = market.Event?.Name,
            EventOpenDate = market.Event?.OpenDate,
            CountryCode = market.Event?.CountryCode,
            CompetitionId = market.Competition?.Id,
            CompetitionName = market.Competition?.Name,
            Timezone = market.Event?.Timezone,
        }, id => runners.FirstOrDefault(r => r.SelectionId == id)?.RunnerName, roles, seenAt);
    }

    /// <summary>Metadata of a stream market definition (streams never carry the competition).</summary>
    public static MarketMetadata FromDefinition(string marketId, MarketDefinition definition, RunnerRoles roles, DateTimeOffset seenAt)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return Complete(new MarketMetadata(marketId)
        {
            MarketName = definition.Name,
            MarketStartTime = definition.MarketTime,
            SportId = definition.EventTypeId,
            SportName = definition.EventTypeId == SoccerId ? SoccerName : null,
            EventId = definition.EventId,
            EventName = definition.EventName,
            EventOpenDate = definition.OpenDate,
            CountryCode = definition.CountryCode,
            Timezone = definition.Timezone,
        }, id => definition.Runners.FirstOrDefault(r => r.SelectionId == id)?.Name, roles, seenAt);
    }

    // What every source adds the same way: the roles, the runner names by role, and when it was seen.
    private static MarketMetadata Complete(MarketMetadata market, Func<long, string?> runnerName, RunnerRoles roles, DateTimeOffset seenAt)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return market.WithRoles(roles) with
        {
            HomeRunnerName = runnerName(roles.Home),
            AwayRunnerName = runnerName(roles.Away),
            DrawRunnerName = runnerName(roles.Draw),
            SeenAt = seenAt,
        };
    }
}
