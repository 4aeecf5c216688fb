using Microsoft.Extensions.DependencyInjection;
using NetBet.Data.Migrations;
using NetBet.Data.Snapshots;
using NetBet.Data.State;

namespace NetBet.Data;

/// <summary>Registers NetBet's storage services.</summary>
public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="Npgsql.NpgsqlDataSource"/> for <paramref name="connectionString"/> (resolve it with
    /// <see cref="NetBetDatabase.ResolveConnectionStringAsync(Microsoft.Extensions.Logging.ILogger?, CancellationToken)"/>)
    /// and the storage classes over it.
    /// </summary>
    public static IServiceCollection AddNetBetData(this IServiceCollection services, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddNpgsqlDataSource(connectionString);
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<SnapshotWriter>();
        services.AddSingleton<ServiceState>();
        return services;
    }
}
