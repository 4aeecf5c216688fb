using Dapper;
using NetBet.Core.Metrics;

namespace NetBet.Data.Tests.Migrations;

/// <summary>The schema's names and types are a contract: the audit, backfill, API and users' own SQL rely on them.</summary>
public sealed class SchemaTests(ClassDatabase database) : IClassFixture<ClassDatabase>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DerivedMetrics_EveryMetricColumn_IsNullableDoublePrecision()
    {
        var columns = await ColumnsAsync("market_derived_metrics");

        Assert.All(MetricColumns.Names, name => Assert.Equal(("double precision", true), columns[name]));
        Assert.Equal(("integer", true), columns["depth_limit"]);
        Assert.Equal(("text", true), columns["calculation_version"]);
        Assert.Equal(MetricColumns.Count + 5, columns.Count);
    }

    [Fact]
    public async Task Tables_OnlyKeysAndSnapshotAt_AreNotNull()
    {
        Assert.Equal(["market_id"], NotNull(await ColumnsAsync("market_event_metadata")));
        Assert.Equal(["market_id", "snapshot_at", "snapshot_id"], NotNull(await ColumnsAsync("market_book_snapshots")));
        Assert.Equal(["market_id", "snapshot_at", "snapshot_id"], NotNull(await ColumnsAsync("market_derived_metrics")));
    }

    [Fact]
    public async Task Metadata_RunnerColumns_HaveTheContractTypes()
    {
        var columns = await ColumnsAsync("market_event_metadata");

        foreach (var outcome in (string[])["home", "away", "draw"])
        {
            Assert.Equal("bigint", columns[$"{outcome}_selection_id"].Type);
            Assert.Equal("text", columns[$"{outcome}_runner_name"].Type);
        }

        Assert.Equal("timestamp with time zone", columns["market_start_time"].Type);
        Assert.Equal("timestamp with time zone", columns["first_seen_at"].Type);
        Assert.Equal("jsonb", (await ColumnsAsync("market_book_snapshots"))["raw_payload"].Type);
    }

    [Fact]
    public async Task ForeignKeys_CascadeOnDelete()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var keys = (await connection.QueryAsync<(string Table, string Referenced, string OnDelete)>(
            """
            select conrelid::regclass::text, confrelid::regclass::text, confdeltype::text
            from pg_constraint where contype = 'f' and conparentid = 0 order by 1
            """)).ToList();

        Assert.Equal(
            [("market_book_snapshots", "market_event_metadata", "c"), ("market_derived_metrics", "market_book_snapshots", "c")],
            keys);
    }

    // The rules that keep the Citus path open (README "Beyond one machine"): the big tables are partitioned by
    // range on snapshot_at, every primary or unique key includes market_id (the distribution column) and snapshot_at
    // (the partition key), and the foreign key between them includes market_id, so it joins colocated shards.
    [Fact]
    public async Task BigTables_KeysAndForeignKeys_KeepTheCitusRules()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        string[] tables = ["market_book_snapshots", "market_derived_metrics"];
        var partitionKeys = (await connection.QueryAsync<(string Table, string Key)>(
            "select partrelid::regclass::text, pg_get_partkeydef(partrelid) from pg_partitioned_table order by 1")).ToList();
        Assert.Equal(tables.Select(t => (t, "RANGE (snapshot_at)")), partitionKeys);

        var keys = (await connection.QueryAsync<(string Table, string Type, string[] Columns)>(
            """
            select c.conrelid::regclass::text, c.contype::text,
                   array(select a.attname::text from unnest(c.conkey) k join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k)
            from pg_constraint c
            where c.conrelid = any(@tables::regclass[]) and c.contype in ('p', 'u', 'f')
            """,
            new { tables })).ToList();
        var unique = keys.Where(k => k.Type is "p" or "u").ToList();
        Assert.Equal(tables, unique.Select(k => k.Table).Distinct().Order(StringComparer.Ordinal));
        Assert.All(unique, k => Assert.Superset(new HashSet<string>(["market_id", "snapshot_at"]), k.Columns.ToHashSet()));
        var uniqueIndexes = await connection.QueryAsync<string>(
            """
            select i.indexrelid::regclass::text from pg_index i
            where i.indrelid = any(@tables::regclass[]) and i.indisunique
              and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
            """,
            new { tables });
        Assert.Empty(uniqueIndexes);

        var between = keys.Where(k => k.Type == "f" && tables.Contains(k.Table)).ToList();
        Assert.Contains(between, k => k.Table == "market_derived_metrics");
        Assert.All(between, k => Assert.Contains("market_id", k.Columns));
    }

    [Theory]
    [InlineData("market_book_snapshots", "market_id, snapshot_at")]
    [InlineData("market_book_snapshots", "snapshot_at")]
    [InlineData("market_event_metadata", "competition_id")]
    [InlineData("market_event_metadata", "competition_name")]
    [InlineData("market_event_metadata", "market_start_time")]
    [InlineData("market_derived_metrics", "market_id, snapshot_at")]
    public async Task Indexes_ServeTheApiAccessPaths(string table, string columns)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var definitions = await connection.QueryAsync<string>(
            "select indexdef from pg_indexes where schemaname = current_schema() and tablename = @table", new { table });

        Assert.Contains(definitions, d => d.EndsWith($"({columns})", StringComparison.Ordinal));
    }

    private async Task<Dictionary<string, (string Type, bool Nullable)>> ColumnsAsync(string table)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
        var rows = await connection.QueryAsync<(string Name, string Type, string Nullable)>(
            """
            select column_name, data_type, is_nullable from information_schema.columns
            where table_schema = current_schema() and table_name = @table
            """,
            new { table });
        return rows.ToDictionary(r => r.Name, r => (r.Type, r.Nullable == "YES"));
    }

    private static List<string> NotNull(Dictionary<string, (string Type, bool Nullable)> columns) =>
        [.. columns.Where(c => !c.Value.Nullable).Select(c => c.Key).Order(StringComparer.Ordinal)];
}
