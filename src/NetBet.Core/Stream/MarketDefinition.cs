namespace NetBet.Core.Stream;

/// <summary>
/// The fields of a stream <c>marketDefinition</c> that the import uses. A definition in a message replaces the
/// previous one entirely, so every property is the value in the latest definition (null when it was absent).
/// </summary>
public sealed record MarketDefinition
{
    /// <summary>Market status: <c>INACTIVE</c>, <c>OPEN</c>, <c>SUSPENDED</c> or <c>CLOSED</c>.</summary>
    public string? Status { get; init; }

    /// <summary>Whether the market is in play (stream spelling <c>inPlay</c>).</summary>
    public bool? InPlay { get; init; }

    /// <summary>Event type id as a string; <c>"1"</c> is football (soccer).</summary>
    public string? EventTypeId { get; init; }

    /// <summary>Event id as a string.</summary>
    public string? EventId { get; init; }

    /// <summary>Event name such as "Home v Away"; only official historical files carry it.</summary>
    public string? EventName { get; init; }

    /// <summary>Market name such as "Match Odds"; only official historical files carry it.</summary>
    public string? Name { get; init; }

    /// <summary>Market type such as <c>MATCH_ODDS</c>.</summary>
    public string? MarketType { get; init; }

    /// <summary>Betting type such as <c>ODDS</c> or <c>ASIAN_HANDICAP_DOUBLE_LINE</c>.</summary>
    public string? BettingType { get; init; }

    /// <summary>Event open date (UTC); null when absent or not an ISO 8601 time.</summary>
    public DateTimeOffset? OpenDate { get; init; }

    /// <summary>Scheduled market start time (UTC); null when absent or not an ISO 8601 time.</summary>
    public DateTimeOffset? MarketTime { get; init; }

    /// <summary>ISO 3166 country code of the event.</summary>
    public string? CountryCode { get; init; }

    /// <summary>Time zone name of the event venue.</summary>
    public string? Timezone { get; init; }

    /// <summary>Bet delay in seconds.</summary>
    public int? BetDelay { get; init; }

    /// <summary>Definition version; increments on market-level changes.</summary>
    public long? Version { get; init; }

    /// <summary>Number of winners.</summary>
    public int? NumberOfWinners { get; init; }

    /// <summary>Number of active runners.</summary>
    public int? NumberOfActiveRunners { get; init; }

    /// <summary>Whether the market is complete.</summary>
    public bool? Complete { get; init; }

    /// <summary>Whether cross matching is enabled.</summary>
    public bool? CrossMatching { get; init; }

    /// <summary>Whether runners are voidable.</summary>
    public bool? RunnersVoidable { get; init; }

    /// <summary>Whether BSP is reconciled.</summary>
    public bool? BspReconciled { get; init; }

    /// <summary>
    /// The price ladder's type (<c>priceLadderDefinition.type</c>): <c>CLASSIC</c>, <c>FINEST</c> or <c>LINE_RANGE</c>;
    /// null when absent, which means CLASSIC.
    /// </summary>
    public string? PriceLadderType { get; init; }

    /// <summary>The runners in definition order.</summary>
    public IReadOnlyList<RunnerDefinition> Runners { get; init; } = [];
}

/// <summary>One runner of a <see cref="MarketDefinition"/>.</summary>
/// <param name="SelectionId">Selection id (<c>id</c>).</param>
/// <param name="Handicap">Handicap (<c>hc</c>); 0 when absent.</param>
/// <param name="SortPriority">Display order; in football MATCH_ODDS 1/2/3 = home/away/draw. Null when absent.</param>
/// <param name="Status">Runner status such as <c>ACTIVE</c>, <c>WINNER</c>, <c>REMOVED</c>.</param>
/// <param name="Name">Runner name; only official historical files carry it.</param>
public sealed record RunnerDefinition(long SelectionId, double Handicap, int? SortPriority, string? Status, string? Name);
