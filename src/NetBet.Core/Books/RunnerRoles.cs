namespace NetBet.Core.Books;

/// <summary>The three outcomes of a football MATCH_ODDS market.</summary>
public enum Outcome
{
    /// <summary>Home team win (catalogue <c>sortPriority</c> 1).</summary>
    Home = 0,
    /// <summary>Away team win (catalogue <c>sortPriority</c> 2).</summary>
    Away = 1,
    /// <summary>The draw (catalogue <c>sortPriority</c> 3).</summary>
    Draw = 2,
}

/// <summary>Selection ids of the HOME, AWAY and DRAW runners of one market.</summary>
/// <param name="Home">Selection id of the home runner.</param>
/// <param name="Away">Selection id of the away runner.</param>
/// <param name="Draw">Selection id of the draw runner.</param>
public sealed record RunnerRoles(long Home, long Away, long Draw)
{
    /// <summary>The selection id playing <paramref name="outcome"/>.</summary>
    public long this[Outcome outcome] => outcome switch
    {
        Outcome.Home => Home,
        Outcome.Away => Away,
        Outcome.Draw => Draw,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    /// <summary>
    /// Maps catalogue runners to roles by <c>sortPriority</c> 1/2/3 = HOME/AWAY/DRAW.
    /// Returns null unless exactly one runner holds each of the three priorities.
    /// </summary>
    /// <param name="runners">(selectionId, sortPriority) pairs from listMarketCatalogue or a stream market definition.</param>
    public static RunnerRoles? FromSortPriority(IEnumerable<(long SelectionId, int SortPriority)> runners)
    {
        ArgumentNullException.ThrowIfNull(runners);
        long? home = null, away = null, draw = null;
        foreach (var (selectionId, sortPriority) in runners)
        {
            switch (sortPriority)
            {
                case 1 when home is null: home = selectionId; break;
                case 2 when away is null: away = selectionId; break;
                case 3 when draw is null: draw = selectionId; break;
                case 1 or 2 or 3: return null;
            }
        }

        return home is { } h && away is { } a && draw is { } d ? new RunnerRoles(h, a, d) : null;
    }

    /// <summary>
    /// Builds roles from a <c>{"selectionId": "HOME" | "AWAY" | "DRAW"}</c> map. Role names match in any letter case
    /// (<c>"home"</c>, <c>"Home"</c> and <c>"HOME"</c> are the same role), as the production system matched them;
    /// other names are not roles and are ignored. Returns null when a role is missing or given twice.
    /// </summary>
    /// <param name="roleBySelectionId">Role names keyed by selection id.</param>
    public static RunnerRoles? FromRoleNames(IEnumerable<KeyValuePair<long, string>> roleBySelectionId)
    {
        ArgumentNullException.ThrowIfNull(roleBySelectionId);
        long? home = null, away = null, draw = null;
        foreach (var (selectionId, role) in roleBySelectionId)
        {
            switch (ParseRole(role))
            {
                case Outcome.Home when home is null: home = selectionId; break;
                case Outcome.Away when away is null: away = selectionId; break;
                case Outcome.Draw when draw is null: draw = selectionId; break;
                case not null: return null;
                default: break; // other labels are not roles
            }
        }

        return home is { } h && away is { } a && draw is { } d ? new RunnerRoles(h, a, d) : null;
    }

    /// <summary>The outcome a role name stands for in any letter case (<c>"home"</c>, <c>"Away"</c>, <c>"DRAW"</c>); null for any other name.</summary>
    /// <param name="role">A role name.</param>
    public static Outcome? ParseRole(string? role) =>
        string.Equals(role, "HOME", StringComparison.OrdinalIgnoreCase) ? Outcome.Home
        : string.Equals(role, "AWAY", StringComparison.OrdinalIgnoreCase) ? Outcome.Away
        : string.Equals(role, "DRAW", StringComparison.OrdinalIgnoreCase) ? Outcome.Draw
        : null;
}
