using NetBet.Data.Partitions;
using Npgsql;

namespace NetBet.Data.Backfill;

/// <summary>
/// A span of <c>snapshot_at</c> the backfill walks on its own: one month partition, or everything when the tables
/// are not partitioned (null bounds). Every statement of a slice carries its bounds, so PostgreSQL prunes it to one
/// partition, and the keyset restarts per slice: a month with nothing left to do is not rescanned by every batch of
/// the others.
/// </summary>
/// <param name="From">Inclusive lower bound, or null.</param>
/// <param name="To">Exclusive upper bound, or null.</param>
/// <param name="FirstId">With workers or shards: the slice covers snapshot ids from this one...</param>
/// <param name="EndId">... to this one, excluded (one block of <see cref="BackfillShard.BlockIds"/> ids).</param>
internal sealed record BackfillSlice(DateTimeOffset? From, DateTimeOffset? To, long? FirstId = null, long? EndId = null)
{
    private const string IdRangeSql = """
        select min(snapshot_id), max(snapshot_id) from market_derived_metrics d
        where d.snapshot_at >= coalesce(@slice_from, '-infinity'::timestamptz) and d.snapshot_at < coalesce(@slice_to, 'infinity'::timestamptz)
        """;

    /// <summary>The keyset's starting point: just below the first id.</summary>
    public long StartAfter => FirstId is { } first ? first - 1 : long.MinValue;

    /// <summary>
    /// The work units of a run: the month slices as they are for one worker and no shard; otherwise each month cut
    /// into blocks of <see cref="BackfillShard.BlockIds"/> snapshot ids, keeping the shard's blocks.
    /// </summary>
    public static async Task<IReadOnlyList<BackfillSlice>> UnitsAsync(NpgsqlConnection connection, BackfillOptions options, CancellationToken cancellationToken)
    {
        var slices = await ForAsync(connection, options, cancellationToken);
        if (options.Shard is null && (options.Workers <= 1 || options.Limit is not null))
        {
            return slices;
        }

        var shard = options.Shard ?? new BackfillShard(0, 1);
        var units = new List<BackfillSlice>();
        foreach (var slice in slices)
        {
            await using var command = new NpgsqlCommand(IdRangeSql, connection);
            slice.AddParameters(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.IsDBNull(0))
            {
                continue;
            }

            var (min, max) = (reader.GetInt64(0), reader.GetInt64(1));
            for (var block = min / BackfillShard.BlockIds; block <= max / BackfillShard.BlockIds; block++)
            {
                if (shard.Owns(block))
                {
                    units.Add(slice with { FirstId = block * BackfillShard.BlockIds, EndId = (block + 1) * BackfillShard.BlockIds });
                }
            }
        }

        return units;
    }

    /// <summary>The slices a run over <paramref name="options"/> walks, oldest month first.</summary>
    public static async Task<IReadOnlyList<BackfillSlice>> ForAsync(NpgsqlConnection connection, BackfillOptions options, CancellationToken cancellationToken)
    {
        if (!await MonthPartitions.IsPartitionedAsync(connection, cancellationToken))
        {
            return [new BackfillSlice(null, null)];
        }

        var months = await MonthPartitions.ListMonthsAsync(connection, cancellationToken);
        return [.. months
            .Where(m => (options.From is not { } from || m.End > from) && (options.To is not { } to || m.Start < to))
            .Select(m => new BackfillSlice(m.Start, m.End))];
    }

    /// <summary>Adds <c>@id_end</c> (the keyset's upper bound; null for none).</summary>
    public void AddIdBound(NpgsqlCommand command) =>
        command.Parameters.Add(new NpgsqlParameter("id_end", NpgsqlTypes.NpgsqlDbType.Bigint) { Value = (object?)EndId ?? DBNull.Value });

    /// <summary>Adds <c>@slice_from</c> and <c>@slice_to</c>.</summary>
    public void AddParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter("slice_from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)From?.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("slice_to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)To?.UtcDateTime ?? DBNull.Value });
    }
}
