using NetBet.Core.Books;

namespace NetBet.Data.Snapshots;

/// <summary>
/// One <c>market_event_metadata</c> row (layer 0), from listMarketCatalogue or a stream market definition. Null
/// properties leave the stored value as it is: an upsert never erases what an earlier catalogue said.
/// </summary>
/// <param name="MarketId">Betfair market id such as <c>1.216395251</c>.</param>
public sealed record MarketMetadata(string MarketId)
{
    /// <summary><c>market_name</c>, e.g. <c>Match Odds</c>.</summary>
    public string? MarketName { get; init; }

    /// <summary><c>market_start_time</c>: scheduled kick-off.</summary>
    public DateTimeOffset? MarketStartTime { get; init; }

    /// <summary><c>sport_id</c>: Betfair event type id (<c>1</c> is soccer).</summary>
    public string? SportId { get; init; }

    /// <summary><c>sport_name</c>: Betfair event type name.</summary>
    public string? SportName { get; init; }

    /// <summary><c>event_id</c>: Betfair event id.</summary>
    public string? EventId { get; init; }

    /// <summary><c>event_name</c>, e.g. <c>Arsenal v Chelsea</c>.</summary>
    public string? EventName { get; init; }

    /// <summary><c>event_open_date</c>.</summary>
    public DateTimeOffset? EventOpenDate { get; init; }

    /// <summary><c>country_code</c>: ISO 3166 alpha-2 code of the event.</summary>
    public string? CountryCode { get; init; }

    /// <summary><c>competition_id</c>.</summary>
    public string? CompetitionId { get; init; }

    /// <summary><c>competition_name</c>, e.g. <c>English Premier League</c>.</summary>
    public string? CompetitionName { get; init; }

    /// <summary><c>timezone</c> of the event, e.g. <c>Europe/London</c>.</summary>
    public string? Timezone { get; init; }

    /// <summary><c>home_selection_id</c>: the runner with catalogue sortPriority 1.</summary>
    public long? HomeSelectionId { get; init; }

    /// <summary><c>away_selection_id</c>: sortPriority 2.</summary>
    public long? AwaySelectionId { get; init; }

    /// <summary><c>draw_selection_id</c>: sortPriority 3.</summary>
    public long? DrawSelectionId { get; init; }

    /// <summary><c>home_runner_name</c>.</summary>
    public string? HomeRunnerName { get; init; }

    /// <summary><c>away_runner_name</c>.</summary>
    public string? AwayRunnerName { get; init; }

    /// <summary><c>draw_runner_name</c>.</summary>
    public string? DrawRunnerName { get; init; }

    /// <summary>
    /// When this metadata was observed (historical imports pass the capture time); null means the time of the
    /// write. <c>first_seen_at</c> keeps the earliest, <c>last_seen_at</c> the latest.
    /// </summary>
    public DateTimeOffset? SeenAt { get; init; }

    /// <summary>The runner roles, when all three selection ids are known.</summary>
    public RunnerRoles? Roles =>
        HomeSelectionId is { } home && AwaySelectionId is { } away && DrawSelectionId is { } draw ? new RunnerRoles(home, away, draw) : null;

    /// <summary>Sets the three selection ids from <paramref name="roles"/>.</summary>
    public MarketMetadata WithRoles(RunnerRoles roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        return this with { HomeSelectionId = roles.Home, AwaySelectionId = roles.Away, DrawSelectionId = roles.Draw };
    }

    /// <summary>This row updated by a later one for the same market: the later non-null values win.</summary>
    internal MarketMetadata MergeLater(MarketMetadata later) => new(MarketId)
    {
        MarketName = later.MarketName ?? MarketName,
        MarketStartTime = later.MarketStartTime ?? MarketStartTime,
        SportId = later.SportId ?? SportId,
        SportName = later.SportName ?? SportName,
        EventId = later.EventId ?? EventId,
        EventName = later.EventName ?? EventName,
        EventOpenDate = later.EventOpenDate ?? EventOpenDate,
        CountryCode = later.CountryCode ?? CountryCode,
        CompetitionId = later.CompetitionId ?? CompetitionId,
        CompetitionName = later.CompetitionName ?? CompetitionName,
        Timezone = later.Timezone ?? Timezone,
        HomeSelectionId = later.HomeSelectionId ?? HomeSelectionId,
        AwaySelectionId = later.AwaySelectionId ?? AwaySelectionId,
        DrawSelectionId = later.DrawSelectionId ?? DrawSelectionId,
        HomeRunnerName = later.HomeRunnerName ?? HomeRunnerName,
        AwayRunnerName = later.AwayRunnerName ?? AwayRunnerName,
        DrawRunnerName = later.DrawRunnerName ?? DrawRunnerName,
        SeenAt = SeenAt is { } a && later.SeenAt is { } b ? (a > b ? a : b) : later.SeenAt ?? SeenAt,
    };
}
