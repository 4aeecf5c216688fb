using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Books;
using NetBet.Core.Metrics;
using NetBet.Data.Cluster;
using NetBet.Data.Migrations;
using Npgsql;

namespace NetBet.Data.Tests.Backfill;

/// <summary>Databases in the seed's starting state: base schema, snapshots stored by ingestion, then migrated.</summary>
internal static class BackfillSeed
{
    public const string BaseSchema = "2026-02-06_base_schema";

    public static readonly DateTimeOffset Start = new(2026, 2, 7, 12, 0, 0, TimeSpan.Zero);

    public static async Task MigrateAsync(NpgsqlDataSource dataSource, string? to, CancellationToken cancellationToken) =>
        await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(to, dryRun: false, null, cancellationToken);

    /// <summary>Stores sample books as ingestion does (<see cref="ScratchBooks.StoreAsync"/>), from <see cref="Start"/> unless told.</summary>
    public static Task<Dictionary<(string MarketId, DateTimeOffset At), string>> StoreAsync(
        NpgsqlDataSource dataSource, int markets, int perMarket, int seed, CancellationToken cancellationToken, int firstMarket = 0, DateTimeOffset? start = null) =>
        ScratchBooks.StoreAsync(dataSource, markets, perMarket, seed, start ?? Start, cancellationToken, firstMarket);

    /// <summary>What ingestion writes today for a stored snapshot: the engine's row from its payload and roles.</summary>
    public static async Task<Dictionary<long, DerivedRow?>> ExpectedRowsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string? Payload, long? Home, long? Away, long? Draw)>(new CommandDefinition(
            """
            select s.snapshot_id, s.raw_payload::text, m.home_selection_id, m.away_selection_id, m.draw_selection_id
            from market_book_snapshots s join market_event_metadata m on m.market_id = s.market_id
            """,
            cancellationToken: cancellationToken));
        return rows.ToDictionary(
            r => r.Id,
            r => r.Payload is null || r.Home is null || r.Away is null || r.Draw is null
                ? null
                : MetricEngine.Compute(MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes(r.Payload)), new RunnerRoles(r.Home.Value, r.Away.Value, r.Draw.Value)).Row);
    }

    /// <summary>Every derived row's metric columns, by snapshot id.</summary>
    public static async Task<Dictionary<long, double?[]>> StoredRowsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"select snapshot_id, {string.Join(", ", MetricColumns.Names)} from market_derived_metrics", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new Dictionary<long, double?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var values = new double?[MetricColumns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i + 1) ? null : reader.GetDouble(i + 1);
            }

            rows[reader.GetInt64(0)] = values;
        }

        return rows;
    }

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, cancellationToken: cancellationToken));
    }
}
