using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Cluster;
using NetBet.Data.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Backfill;

public sealed class BackfillTests(DatabaseFixture fixture)
{
    private const int Markets = 20;
    private const int PerMarket = 60;
    private const int Rows = Markets * PerMarket;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The seed's plan end to end: base schema, ingestion, migrations, audit, dry run, limit, full run, audit, rerun.</summary>
    [Fact]
    public async Task SeedPlan_BaseSchemaThenMigrated_FillsEveryRecomputableNullExactlyOnce()
    {
        await using var db = await SeededDatabaseAsync();
        var added = MetricSchema.AddedAfterBaseSchema;

        var audit = await new Auditor(db).RunAsync(Ct);
        Assert.Equal(Rows, audit.TotalSnapshots);
        Assert.Equal(Rows, audit.RawPayloadRows);
        Assert.Empty(audit.MissingColumns);
        Assert.All(audit.Columns, c => Assert.Equal(
            added.Contains(c.Name) ? (Rows, 100.0, "A") : (0L, 0.0, "-"),
            (c.NullCount, c.NullPct, c.Tier)));
        Assert.Equal((Rows, 0L, 0L), (audit.WouldUpdate, audit.WouldSkip, audit.WouldError));

        // Rows that must stay skipped, at the end of the keyset: the last market loses its roles, three payloads go.
        var lastMarket = ScratchBooks.MarketId(Markets - 1);
        await ExecuteAsync(db, "update market_event_metadata set home_selection_id = null where market_id = @lastMarket", new { lastMarket });
        var noPayload = (await QueryAsync<long>(db, "select snapshot_id from market_book_snapshots where market_id <> @lastMarket order by snapshot_id desc limit 3", new { lastMarket })).ToList();
        await ExecuteAsync(db, "update market_book_snapshots set raw_payload = null where snapshot_id = any(@noPayload)", new { noPayload });
        const int skipped = PerMarket + 3;

        audit = await new Auditor(db).RunAsync(Ct);
        Assert.All(audit.Columns.Where(c => added.Contains(c.Name)), c => Assert.Equal((Rows, Rows - skipped, "B"), (c.NullCount, c.Recomputable, c.Tier)));
        Assert.Equal((Rows - skipped, (long)skipped), (audit.WouldUpdate, audit.WouldSkip));
        Assert.Equal(PerMarket, audit.SkipReasons[SkipReason.NoRolesForMarket.Describe()]);
        Assert.Equal(3, audit.SkipReasons[SkipReason.NoRawPayload.Describe()]);

        var before = await BackfillSeed.StoredRowsAsync(db, Ct);
        var dryRun = await Backfiller(db).RunAsync(new BackfillOptions { DryRun = true }, null, Ct);
        Assert.Equal((Rows, Rows - skipped, skipped, 0), (dryRun.Processed, dryRun.Updated, dryRun.Skipped, dryRun.Errors));
        Assert.All(added, c => Assert.Equal(Rows - skipped, dryRun.WouldFill[c]));
        Assert.Equal(5, dryRun.Samples.Count);
        AssertSameRows(before, await BackfillSeed.StoredRowsAsync(db, Ct));

        var limited = await Backfiller(db).RunAsync(new BackfillOptions { Limit = 200, BatchSize = 64 }, null, Ct);
        Assert.Equal((200, 200, 0), (limited.Processed, limited.Updated, limited.Skipped));
        Assert.Equal(200, await BackfillSeed.CountAsync(db, $"select count(*) from market_derived_metrics where {string.Join(" and ", added.Select(c => c + " is not null"))}", Ct));

        var progress = new List<BackfillProgress>();
        var full = await Backfiller(db).RunAsync(new BackfillOptions { BatchSize = 100 }, progress.Add, Ct);
        Assert.Equal((Rows - 200, Rows - 200 - skipped, skipped, 0), (full.Processed, full.Updated, full.Skipped, full.Errors));
        Assert.Equal(Rows - 200, full.Total);
        Assert.Equal(Rows - 200, progress[^1].Processed);
        Assert.Equal("Backfill complete: 1000 processed, 937 updated, 63 skipped, 0 errors", full.SummaryLine);

        var expected = await BackfillSeed.ExpectedRowsAsync(db, Ct);
        var stored = await BackfillSeed.StoredRowsAsync(db, Ct);
        foreach (var (id, row) in stored)
        {
            if (expected[id] is { } engine)
            {
                Assert.Equal(engine.Values, row);
            }
            else
            {
                Assert.All(added, c => Assert.Null(row[MetricColumns.IndexOf(c)]));
            }
        }

        audit = await new Auditor(db).RunAsync(Ct);
        Assert.All(audit.Columns, c => Assert.Equal(
            added.Contains(c.Name) ? ((long)skipped, 0L, "C") : (0L, 0L, "-"),
            (c.NullCount, c.Recomputable, c.Tier)));
        Assert.Equal((0L, (long)skipped), (audit.WouldUpdate, audit.WouldSkip));

        var rerun = await Backfiller(db).RunAsync(new BackfillOptions(), null, Ct);
        Assert.Equal((skipped, 0, skipped, 0), (rerun.Processed, rerun.Updated, rerun.Skipped, rerun.Errors));
        AssertSameRows(stored, await BackfillSeed.StoredRowsAsync(db, Ct));
    }

    [Fact]
    public async Task RunAsync_MalformedPayloadAmongGoodOnes_CountsErrorWithSnapshotIdAndUpdatesTheRest()
    {
        await using var db = await SeededDatabaseAsync(markets: 4, perMarket: 50);
        var bad = (await QueryAsync<long>(db, "select snapshot_id from market_book_snapshots order by snapshot_id offset 70 limit 1")).Single();
        await ExecuteAsync(db, """update market_book_snapshots set raw_payload = jsonb_set(raw_payload, '{runners,0,ex,availableToBack,0,price}', '"2.5"') where snapshot_id = @bad""", new { bad });

        var audit = await new Auditor(db).RunAsync(Ct);
        Assert.Equal((199L, 0L, 1L), (audit.WouldUpdate, audit.WouldSkip, audit.WouldError));

        var result = await Backfiller(db).RunAsync(new BackfillOptions { BatchSize = 32 }, null, Ct);

        Assert.Equal((200, 199, 0, 1), (result.Processed, result.Updated, result.Skipped, result.Errors));
        var error = Assert.Single(result.ErrorDetails);
        Assert.Equal(bad, error.SnapshotId);
        Assert.Contains("$.runners[0].ex.availableToBack[0].price", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await BackfillSeed.CountAsync(db, "select count(*) from market_derived_metrics where home_back_stake is null", Ct));
    }

    [Fact]
    public async Task RunAsync_WhileIngestionInsertsSnapshots_NoDeadlockAndNoLostRows()
    {
        await using var db = await SeededDatabaseAsync(markets: 10, perMarket: 100);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var writer = Task.Run(
            async () =>
            {
                var inserted = 0;
                for (var round = 0; round < 40 && !stop.IsCancellationRequested; round++)
                {
                    // New snapshots of the seeded markets, written as ingestion writes them (all columns).
                    var payloads = await BackfillSeed.StoreAsync(db, markets: 10, perMarket: 1, seed: 1000 + round, Ct, firstMarket: 0, start: BackfillSeed.Start.AddDays(1 + round));
                    inserted += payloads.Count;
                    await Task.Delay(5, Ct);
                }

                return inserted;
            },
            Ct);

        var result = await Backfiller(db).RunAsync(new BackfillOptions { BatchSize = 25 }, null, Ct);
        await stop.CancelAsync();
        await writer;

        Assert.Equal(0, result.Errors);
        Assert.Equal(1000, result.Updated);
        var total = await BackfillSeed.CountAsync(db, "select count(*) from market_book_snapshots", Ct);
        Assert.Equal(total, await BackfillSeed.CountAsync(db, "select count(*) from market_derived_metrics", Ct));
        Assert.Equal(0, await BackfillSeed.CountAsync(db, "select count(*) from market_derived_metrics where home_back_stake is null or draw_best_lay_size_l1 is null", Ct));
    }

    [Fact]
    public async Task RunAsync_Verify_ReportsDriftAndChangesNothing()
    {
        await using var db = await SeededDatabaseAsync(markets: 3, perMarket: 40);
        await Backfiller(db).RunAsync(new BackfillOptions(), null, Ct);
        var clean = await Backfiller(db).RunAsync(new BackfillOptions { Verify = true }, null, Ct);
        Assert.Equal((0L, 120L * MetricColumns.Count), (clean.DriftCount, clean.Compared));

        var id = (await QueryAsync<long>(db, "select min(snapshot_id) from market_derived_metrics")).Single();
        await ExecuteAsync(db, "update market_derived_metrics set home_back_stake = home_back_stake + 1 where snapshot_id = @id", new { id });
        var before = await BackfillSeed.StoredRowsAsync(db, Ct);

        var drift = await Backfiller(db).RunAsync(new BackfillOptions { Verify = true, Columns = ["home_back_stake", "away_back_stake"] }, null, Ct);

        var only = Assert.Single(drift.Drift);
        Assert.Equal((id, "home_back_stake"), (only.SnapshotId, only.Column));
        Assert.Equal(only.Engine!.Value + 1, only.Stored, 9);
        Assert.Equal(0, drift.Updated);
        AssertSameRows(before, await BackfillSeed.StoredRowsAsync(db, Ct));
    }

    [Fact]
    public async Task RunAsync_ChosenColumnsAndMarket_FillsOnlyThose()
    {
        await using var db = await SeededDatabaseAsync(markets: 3, perMarket: 30);
        var market = ScratchBooks.MarketId(1);

        var result = await Backfiller(db).RunAsync(
            new BackfillOptions { Columns = ["draw_lay_odds", "home_back_stake"], MarketId = market, From = BackfillSeed.Start.AddMinutes(10) },
            null,
            Ct);

        Assert.Equal(["home_back_stake", "draw_lay_odds"], result.Columns);
        Assert.Equal(20, result.Updated);
        Assert.Equal(20, await BackfillSeed.CountAsync(db, "select count(*) from market_derived_metrics where home_back_stake is not null and draw_lay_odds is not null", Ct));
        Assert.Equal(0, await BackfillSeed.CountAsync(db, "select count(*) from market_derived_metrics where away_back_stake is not null", Ct));
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("depth_limit")]
    public async Task RunAsync_UnknownColumn_ThrowsNamingIt(string column)
    {
        await using var db = await SeededDatabaseAsync(markets: 1, perMarket: 2);

        var e = await Assert.ThrowsAsync<UnknownColumnException>(() => Backfiller(db).RunAsync(new BackfillOptions { Columns = ["home_back_stake", column] }, null, Ct));

        Assert.Equal(column, e.ColumnName);
    }

    [Fact]
    public async Task RunAsync_ColumnNotMigratedYet_ThrowsAndAuditListsItMissing()
    {
        var connectionString = await fixture.CreateDatabaseAsync(migrated: false, Ct);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await BackfillSeed.MigrateAsync(db, "2026-02-13_add_impedance_input_columns", Ct);

        await Assert.ThrowsAsync<UnknownColumnException>(() => Backfiller(db).RunAsync(new BackfillOptions { Columns = ["home_best_back_size_l1"] }, null, Ct));
        var audit = await new Auditor(db).RunAsync(Ct);
        Assert.Equal(6, audit.MissingColumns.Count);
        Assert.Equal(MetricColumns.Count - 6, audit.Columns.Count);
    }

    [Fact]
    public async Task SpotCheck_AfterBackfill_ShowsNewestRowsWithValues()
    {
        await using var db = await SeededDatabaseAsync(markets: 2, perMarket: 10);
        var beforeRows = await new SpotCheck(db).RunAsync(3, oldest: false, null, Ct);
        Assert.All(beforeRows, r => Assert.All(r.Values, outcome => Assert.All(outcome, Assert.Null)));

        await Backfiller(db).RunAsync(new BackfillOptions(), null, Ct);
        var rows = await new SpotCheck(db).RunAsync(3, oldest: false, ScratchBooks.MarketId(0), Ct);

        Assert.Equal(3, rows.Count);
        Assert.True(rows[0].SnapshotAt > rows[1].SnapshotAt);
        Assert.All(rows, r => Assert.All(r.Values, outcome => Assert.All(outcome, v => Assert.NotNull(v))));
    }

    private static Backfiller Backfiller(NpgsqlDataSource db) => new(db, NullLogger<Backfiller>.Instance);

    private async Task<NpgsqlDataSource> SeededDatabaseAsync(int markets = Markets, int perMarket = PerMarket)
    {
        var connectionString = await fixture.CreateDatabaseAsync(migrated: false, Ct);
        var db = NpgsqlDataSource.Create(connectionString);
        await BackfillSeed.MigrateAsync(db, BackfillSeed.BaseSchema, Ct);
        await BackfillSeed.StoreAsync(db, markets, perMarket, seed: 42, Ct);
        await BackfillSeed.MigrateAsync(db, null, Ct);
        return db;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql, object? parameters = null)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: Ct));
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(NpgsqlDataSource db, string sql, object? parameters = null)
    {
        await using var connection = await db.OpenConnectionAsync(Ct);
        return await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, cancellationToken: Ct));
    }

    private static void AssertSameRows(Dictionary<long, double?[]> expected, Dictionary<long, double?[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (id, row) in expected)
        {
            Assert.Equal(row, actual[id]);
        }
    }
}
