using NetBet.Core.Books;
using NetBet.Core.Stream;

namespace NetBet.Ingest.Import;

/// <summary>Whether a market is imported: its roles, or the reason it is skipped.</summary>
internal readonly record struct MarketDecision(RunnerRoles? Roles, string? SkipReason)
{
    public bool Keep => Roles is not null;
}

/// <summary>
/// Football MATCH_ODDS markets with three runners whose <c>sortPriority</c> 1/2/3 map to HOME/AWAY/DRAW, or with
/// <c>--all-markets</c> any market whose roles map that way. Decided from the latest market definition.
/// </summary>
internal sealed class MarketFilter(bool allMarkets)
{
    public const string NoDefinition = "no market definition";
    public const string NotFootball = "not football";
    public const string NotMatchOdds = "not MATCH_ODDS";
    public const string NotThreeRunners = "not 3 runners";
    public const string RolesNotMappable = "roles not mappable";
    public const string NoBookData = "no book data";

    public MarketDecision Decide(MarketDefinition? definition)
    {
        if (definition is null)
        {
            return new(null, NoDefinition);
        }

        if (!allMarkets)
        {
            if (definition.EventTypeId != "1")
            {
                return new(null, NotFootball);
            }

            if (definition.MarketType != "MATCH_ODDS")
            {
                return new(null, NotMatchOdds);
            }

            if (definition.Runners.Count != 3)
            {
                return new(null, NotThreeRunners);
            }
        }

        var roles = RunnerRoles.FromSortPriority(definition.Runners
            .Where(r => r.SortPriority is not null)
            .Select(r => (r.SelectionId, r.SortPriority!.Value)));

        // Handicap markets list one selection id under several priorities; such "roles" would not be three outcomes.
        return roles is not null && roles.Home != roles.Away && roles.Home != roles.Draw && roles.Away != roles.Draw
            ? new(roles, null)
            : new(null, RolesNotMappable);
    }
}
