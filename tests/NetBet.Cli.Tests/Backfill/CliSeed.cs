using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Cli.Tests.Backfill;

/// <summary>Seed-state databases for CLI runs: base schema, snapshots stored by ingestion, migrated to latest.</summary>
internal static class CliSeed
{
    private static readonly DateTimeOffset Start = new(2026, 2, 7, 12, 0, 0, TimeSpan.Zero);

    public static async Task<string> CreateAsync(CliDatabaseFixture fixture, int markets, int perMarket, CancellationToken cancellationToken)
    {
        var connectionString = await fixture.CreateBaseSchemaDatabaseAsync(cancellationToken);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await ScratchBooks.StoreAsync(db, markets, perMarket, seed: 7, Start, cancellationToken);
        await new MigrationRunner(db, NullLogger<MigrationRunner>.Instance).MigrateAsync(null, dryRun: false, null, cancellationToken);
        return connectionString;
    }

    /// <summary>Asserts that two databases hold the same derived rows with the same metric values.</summary>
    public static async Task AssertSameMetricsAsync(string expectedConnectionString, string actualConnectionString, CancellationToken cancellationToken)
    {
        var expected = await ReadMetricsAsync(expectedConnectionString, cancellationToken);
        var actual = await ReadMetricsAsync(actualConnectionString, cancellationToken);
        Assert.Equal(expected.Count, actual.Count);
        Assert.All(expected, kv => Assert.Equal(kv.Value, actual[kv.Key]));
    }

    /// <summary>Every derived row's metric columns keyed by (market, snapshot time), comparable across databases.</summary>
    public static async Task<Dictionary<(string, DateTimeOffset), double?[]>> ReadMetricsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"select market_id, snapshot_at, {string.Join(", ", MetricColumns.Names)} from market_derived_metrics", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<(string, DateTimeOffset), double?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new double?[MetricColumns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 2) ? null : reader.GetDouble(i + 2);
            }

            rows[(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1))] = values;
        }

        return rows;
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken cancellationToken, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    public static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }
}
