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
internal sealed record BackfillSlice(DateTimeOffset? From, DateTimeOffset? To)
{
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

    /// <summary>Adds <c>@slice_from</c> and <c>@slice_to</c>.</summary>
    public void AddParameters(NpgsqlCommand command)
    {
        command.Parameters.Add(new NpgsqlParameter("slice_from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)From?.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("slice_to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)To?.UtcDateTime ?? DBNull.Value });
    }
}
