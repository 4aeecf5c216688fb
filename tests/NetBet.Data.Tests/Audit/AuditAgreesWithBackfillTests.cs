using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Cluster;
using NetBet.Data.Tests.Backfill;
using Npgsql;

namespace NetBet.Data.Tests.Audit;

/// <summary>The audit predicts in SQL what the backfill then does with the engine: the two must agree reason by reason.</summary>
public sealed class AuditAgreesWithBackfillTests(DatabaseFixture fixture)
{
    private const int Markets = 8;
    private const int PerMarket = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Audit_EveryStoredSkipReasonAndError_EqualsWhatTheBackfillThenDoes()
    {
        var connectionString = await fixture.CreateDatabaseAsync(migrated: false, Ct);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await BackfillSeed.MigrateAsync(db, BackfillSeed.BaseSchema, Ct);
        await BackfillSeed.StoreAsync(db, Markets, PerMarket, seed: 5, Ct);
        await BackfillSeed.MigrateAsync(db, null, Ct);

        // Market 0 loses its roles; in the others, a few snapshots each are spoiled in one way per reason.
        await ExecuteAsync(db, "update market_event_metadata set draw_selection_id = null where market_id = @market", new { market = ScratchBooks.MarketId(0) });
        var expected = new Dictionary<string, long> { [SkipReason.NoRolesForMarket.Describe()] = PerMarket };
        await SpoilAsync(db, 1, 2, "raw_payload = null", SkipReason.NoRawPayload, expected);
        await SpoilAsync(db, 2, 3, "raw_payload = raw_payload - 'marketId'", SkipReason.NoMarketId, expected);
        await SpoilAsync(db, 3, 4, "raw_payload = jsonb_set(raw_payload, '{marketId}', '\"\"')", SkipReason.NoMarketId, expected);
        await SpoilAsync(db, 4, 2, "raw_payload = jsonb_set(raw_payload, '{runners}', (raw_payload -> 'runners') - 2)", SkipReason.FewerThanThreeRunners, expected);
        await SpoilAsync(db, 5, 3, "raw_payload = jsonb_set(raw_payload, '{runners,1,selectionId}', '424242')", SkipReason.RoleRunnerMissing, expected);
        await SpoilAsync(db, 6, 2, "raw_payload = jsonb_set(raw_payload, '{runners,0,ex,availableToBack,0,price}', '\"2.5\"')", null, expected);
        await SpoilAsync(db, 7, 3, "raw_payload = jsonb_set(raw_payload, '{runners,2,ex,availableToLay,0,Price}', '3.5')", null, expected);
        Assert.Equal(SkipReasons.All.Except([SkipReason.RolesIncomplete]).Select(r => r.Describe()).Order(), expected.Keys.Order());

        var audit = await new Auditor(db).RunAsync(Ct);
        var backfill = await new Backfiller(db, NullLogger<Backfiller>.Instance).RunAsync(new BackfillOptions { BatchSize = 50 }, null, Ct);

        Assert.Equal(expected.OrderBy(r => r.Key), audit.SkipReasons.OrderBy(r => r.Key));
        Assert.Equal(audit.SkipReasons.OrderBy(r => r.Key), backfill.SkipReasons.OrderBy(r => r.Key));
        Assert.Equal(audit.WouldSkip, backfill.Skipped);
        Assert.Equal(audit.WouldError, backfill.Errors);
        Assert.Equal(audit.WouldUpdate, backfill.Updated);
        Assert.Equal(5L, audit.WouldError);
        Assert.Equal((Markets * PerMarket) - expected.Values.Sum() - 5, backfill.Updated);
        Assert.Contains(backfill.ErrorDetails, e => e.Message.Contains(".availableToLay[0].Price", StringComparison.Ordinal));
    }

    // Spoils the first `count` snapshots of market `market` with `assignment`; `reason` null means unreadable.
    private static async Task SpoilAsync(NpgsqlDataSource db, int market, int count, string assignment, SkipReason? reason, Dictionary<string, long> expected)
    {
        await ExecuteAsync(
            db,
            $"""
            update market_book_snapshots set {assignment}
            where snapshot_id in (select snapshot_id from market_book_snapshots where market_id = @market order by snapshot_id limit @count)
            """,
            new { market = ScratchBooks.MarketId(market), count });
        if (reason is { } r)
        {
            expected[r.Describe()] = expected.GetValueOrDefault(r.Describe()) + count;
        }
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, object parameters)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: Ct));
    }
}
