using System.Text;

namespace NetBet.Data.Backfill;

/// <summary>
/// The backfill's statements. Column names are spliced in only after <see cref="MetricSchema.Resolve"/> checked
/// each against the fixed list of metric columns; every value travels as a parameter.
/// </summary>
internal sealed class BackfillSql
{
    private const string CountTemplate = """
        select count(*)
        from market_derived_metrics d
        where ({candidate}){filters}
        """;

    // Keyset over snapshot_id within one slice (no OFFSET): each batch starts where the previous one ended, so rows
    // that stay NULL because they must be skipped are passed over once per run, never looped on. The slice bounds
    // (a month, see BackfillSlice) are given for both tables so the plan touches one partition of each; the join is
    // on the key that includes the partition key. The batch's keys are picked first, in a subquery with its own
    // LIMIT: joined in one query, the planner underestimates the rows the NULL test keeps and, with a block's upper
    // bound (--workers), hash-joins and sorts the whole rest of the block, turning every payload of it into text
    // (about 0.2 s a batch at 10,000 ids), to keep 500.
    private const string LoadTemplate = """
        select d.snapshot_id, d.market_id, d.snapshot_at, s.raw_payload::text,
               m.home_selection_id, m.away_selection_id, m.draw_selection_id{stored}
        from (
            select d.*
            from market_derived_metrics d
            where d.snapshot_id > @last and d.snapshot_id < coalesce(@id_end, 9223372036854775807) and ({candidate}){filters}
              and d.snapshot_at >= coalesce(@slice_from, '-infinity'::timestamptz) and d.snapshot_at < coalesce(@slice_to, 'infinity'::timestamptz)
            order by d.snapshot_id
            limit @batch
        ) d
        join market_book_snapshots s on s.market_id = d.market_id and s.snapshot_at = d.snapshot_at
        left join market_event_metadata m on m.market_id = s.market_id
        where s.snapshot_at >= coalesce(@slice_from, '-infinity'::timestamptz) and s.snapshot_at < coalesce(@slice_to, 'infinity'::timestamptz)
        order by d.snapshot_id
        """;

    // ON COMMIT DELETE ROWS, created once per run: a table created and dropped per batch would write pg_class and
    // pg_attribute rows thousands of times on a live database.
    // synchronous_commit off for this session only: a batch lost in a server crash is NULL again and recomputed by
    // the next run, so waiting for each commit's WAL flush buys nothing (the data stays consistent either way).
    private const string CreateTempTemplate = """
        set synchronous_commit = off;
        drop table if exists pg_temp.netbet_backfill_batch;
        create temp table netbet_backfill_batch (snapshot_id bigint not null{columns}) on commit delete rows
        """;

    public const string DropTemp = """
        reset synchronous_commit;
        drop table if exists pg_temp.netbet_backfill_batch
        """;

    // The id range keeps the plan an index range scan (in the one partition the slice bounds leave): the temporary
    // table has no statistics, and without the range the planner hash-joins against a sequential scan of the whole
    // table, once per batch.
    private const string UpdateTemplate = """
        update market_derived_metrics d
        set {assignments}
        from netbet_backfill_batch n
        where d.snapshot_id = n.snapshot_id and d.snapshot_id between @first and @last and ({changes})
          and d.snapshot_at >= coalesce(@slice_from, '-infinity'::timestamptz) and d.snapshot_at < coalesce(@slice_to, 'infinity'::timestamptz)
        """;

    public BackfillSql(IReadOnlyList<string> columns, BackfillOptions options)
    {
        Columns = columns;
        var filters = new StringBuilder();
        if (options.MarketId is not null)
        {
            filters.Append(" and d.market_id = @market");
        }

        if (options.From is not null)
        {
            filters.Append(" and d.snapshot_at >= @from");
        }

        if (options.To is not null)
        {
            filters.Append(" and d.snapshot_at < @to");
        }

        if (options.Shard is { } shard)
        {
            // The shard's blocks only (constants from a parsed shard): the count is the shard's own total.
            filters.Append(System.Globalization.CultureInfo.InvariantCulture, $" and (d.snapshot_id / {BackfillShard.BlockIds}) % {shard.Count} = {shard.Index}");
        }

        // Verify looks at the values that are there; fill and dry run at the ones that are not.
        var candidate = string.Join(" or ", columns.Select(c => options.Verify ? $"d.{c} is not null" : $"d.{c} is null"));
        var storedColumns = string.Concat(columns.Select(c => $", d.{c}"));
        Count = CountTemplate.Replace("{candidate}", candidate, StringComparison.Ordinal)
            .Replace("{filters}", filters.ToString(), StringComparison.Ordinal);
        Load = LoadTemplate.Replace("{candidate}", candidate, StringComparison.Ordinal)
            .Replace("{filters}", filters.ToString(), StringComparison.Ordinal)
            .Replace("{stored}", storedColumns, StringComparison.Ordinal);
        CreateTemp = CreateTempTemplate.Replace("{columns}", string.Concat(columns.Select(c => $", {c} double precision")), StringComparison.Ordinal);
        Copy = $"copy netbet_backfill_batch (snapshot_id, {string.Join(", ", columns)}) from stdin (format binary)";
        Update = UpdateTemplate
            .Replace("{assignments}", string.Join(", ", columns.Select(c => $"{c} = coalesce(d.{c}, n.{c})")), StringComparison.Ordinal)
            .Replace("{changes}", string.Join(" or ", columns.Select(c => $"(d.{c} is null and n.{c} is not null)")), StringComparison.Ordinal);
    }

    public IReadOnlyList<string> Columns { get; }

    public string Count { get; }

    public string Load { get; }

    public string CreateTemp { get; }

    public string Copy { get; }

    public string Update { get; }

    /// <summary>Ordinal of the first stored chosen column in <see cref="Load"/>.</summary>
    public const int FirstStoredOrdinal = 7;
}
