using Microsoft.Extensions.Logging.Abstractions;
using NetBet.Core.Metrics;
using NetBet.Data.Audit;
using NetBet.Data.Backfill;
using NetBet.Data.Snapshots;
using NetBet.Data.Tests.Snapshots;
using Npgsql;

namespace NetBet.Data.Tests.Partitions;

/// <summary>
/// <c>audit --from/--to</c> and <c>backfill --from/--to</c> read only the months in range: the plans PostgreSQL makes
/// for their statements, with the values bound as the commands bind them, name no other month's partition.
/// </summary>
public sealed class PruningTests(PruningTests.ThreeMonths database) : IClassFixture<PruningTests.ThreeMonths>
{
    private static readonly DateTimeOffset February = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset March = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A database with five snapshots in each of January, February and March 2026, home_back_stake NULL.</summary>
    public sealed class ThreeMonths(DatabaseFixture fixture) : IAsyncLifetime
    {
        public NpgsqlDataSource DataSource { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            DataSource = NpgsqlDataSource.Create(await fixture.CreateDatabaseAsync(migrated: true, CancellationToken.None));
            var writer = new SnapshotWriter(DataSource, NullLogger<SnapshotWriter>.Instance);
            foreach (var at in new[] { February.AddDays(-1), February.AddDays(1), March.AddDays(1) })
            {
                var market = TestSnapshots.NewMarketId();
                var snapshots = Enumerable.Range(0, 5).Select(i => TestSnapshots.Snapshot(market, i) with { SnapshotAt = at.AddMinutes(i) }).ToList();
                await writer.WriteAsync(new SnapshotBatch([TestSnapshots.Metadata(market)], snapshots), CancellationToken.None);
            }

            await using var connection = await DataSource.OpenConnectionAsync();
            await using var command = new NpgsqlCommand("update market_derived_metrics set home_back_stake = null; analyze", connection);
            await command.ExecuteNonQueryAsync();
        }

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }

    [Fact]
    public async Task BackfillStatements_FromTo_TouchOnlyTheMonthsInRange()
    {
        var options = new BackfillOptions { From = February, To = March };
        var sql = new BackfillSql(MetricColumns.Names, options);
        var slice = new BackfillSlice(February, March);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);

        var count = await ExplainAsync(connection, sql.Count, c => BindRange(c, options));
        var load = await ExplainAsync(connection, sql.Load, c =>
        {
            BindRange(c, options);
            slice.AddParameters(c);
            slice.AddIdBound(c);
            c.Parameters.AddWithValue("last", long.MinValue);
            c.Parameters.AddWithValue("batch", 500);
        });

        AssertOnlyFebruary(count);
        AssertOnlyFebruary(load);
        Assert.Contains("market_book_snapshots_y2026m02", load, StringComparison.Ordinal);
    }

    // With --workers a slice is a block of ids; joined before its LIMIT, the read turned every payload of the rest of
    // the block into text to keep one batch (README "Short runs"). The batch's keys are limited first.
    [Fact]
    public async Task BackfillLoad_ABlockOfIds_LimitsTheKeysBeforeJoiningPayloads()
    {
        var sql = new BackfillSql(MetricColumns.Names, new BackfillOptions());
        var slice = new BackfillSlice(February, March, FirstId: 0, EndId: BackfillShard.BlockIds);
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);

        var plan = (await ExplainAsync(connection, sql.Load, c =>
        {
            slice.AddParameters(c);
            slice.AddIdBound(c);
            c.Parameters.AddWithValue("last", slice.StartAfter);
            c.Parameters.AddWithValue("batch", 500);
        })).Split('\n');

        var limit = Array.FindIndex(plan, line => line.TrimStart(' ', '-', '>').StartsWith("Limit", StringComparison.Ordinal));
        Assert.True(limit >= 0, string.Join('\n', plan));
        var indent = Indent(plan[limit]);
        var underLimit = string.Join('\n', plan.Skip(limit + 1).TakeWhile(line => Indent(line) > indent));
        Assert.Contains("market_derived_metrics", underLimit, StringComparison.Ordinal);
        Assert.DoesNotContain("market_book_snapshots", underLimit, StringComparison.Ordinal);

        static int Indent(string line) => line.Length - line.TrimStart(' ', '-', '>').Length;
    }

    [Fact]
    public async Task BackfillSlices_FromTo_AreTheMonthsInRange()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);

        var slices = await BackfillSlice.ForAsync(connection, new BackfillOptions { From = February.AddDays(3), To = March }, Ct);

        Assert.Equal([new BackfillSlice(February, March)], slices);
    }

    [Fact]
    public async Task Backfill_FromTo_FillsOnlyThatRange()
    {
        var result = await new Backfiller(database.DataSource, NullLogger<Backfiller>.Instance)
            .RunAsync(new BackfillOptions { From = February, To = March, DryRun = true }, null, Ct);

        Assert.Equal(5, result.Processed);
    }

    [Fact]
    public async Task AuditStatements_FromTo_TouchOnlyTheMonthsInRange()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var statements = Auditor.InventoryQuery.Split(";\n", StringSplitOptions.RemoveEmptyEntries)
            .Append(Auditor.EligibilityQuery(MetricColumns.Names))
            .Where(s => s.Contains("select", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(3, statements.Count);

        foreach (var statement in statements)
        {
            var plan = await ExplainAsync(connection, statement.TrimEnd().TrimEnd(';'), c =>
            {
                c.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = February.UtcDateTime });
                c.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = March.UtcDateTime });
                Auditor.AddReasonParameters(c);
            });
            AssertOnlyFebruary(plan);
        }
    }

    [Fact]
    public async Task Audit_FromTo_CountsOnlyThatRange()
    {
        var report = await new Auditor(database.DataSource).RunAsync(February, March, Ct);

        Assert.Equal((5, 5), (report.TotalSnapshots, report.DerivedRows));
        Assert.Equal(5, report.Columns.Single(c => c.Name == "home_back_stake").NullCount);
        Assert.Equal((February, March), (report.From!.Value, report.To!.Value));
    }

    private static void AssertOnlyFebruary(string plan)
    {
        Assert.Contains("_y2026m02", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("_y2026m01", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("_y2026m03", plan, StringComparison.Ordinal);
    }

    private static void BindRange(NpgsqlCommand command, BackfillOptions options)
    {
        command.Parameters.AddWithValue("from", options.From!.Value.UtcDateTime);
        command.Parameters.AddWithValue("to", options.To!.Value.UtcDateTime);
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, string sql, Action<NpgsqlCommand> bind)
    {
        await using var command = new NpgsqlCommand("explain " + sql, connection);
        bind(command);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
