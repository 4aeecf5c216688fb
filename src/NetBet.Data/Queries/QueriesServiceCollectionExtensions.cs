using Microsoft.Extensions.DependencyInjection;

namespace NetBet.Data.Queries;

/// <summary>Registers the read query classes; they need the <c>NpgsqlDataSource</c> that <c>AddNetBetData</c> registers.</summary>
public static class QueriesServiceCollectionExtensions
{
    /// <summary>Adds <see cref="LeagueQueries"/>, <see cref="MarketQueries"/> and <see cref="SnapshotQueries"/> and <see cref="LadderQueries"/> as singletons.</summary>
    public static IServiceCollection AddNetBetQueries(this IServiceCollection services)
    {
        services.AddSingleton<LeagueQueries>();
        services.AddSingleton<MarketQueries>();
        services.AddSingleton<SnapshotQueries>();
        services.AddSingleton<LadderQueries>();
        return services;
    }
}
