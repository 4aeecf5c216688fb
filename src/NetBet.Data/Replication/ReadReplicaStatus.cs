using System.Globalization;
using Npgsql;

namespace NetBet.Data.Replication;

/// <summary>
/// Whether a read connection (<c>NETBET_DB_READ</c>) reaches a hot standby, and how far it lags its primary.
/// </summary>
/// <param name="IsStandby">The server is in recovery: a streaming (or log-shipping) standby.</param>
/// <param name="ReplayLag">
/// Zero when everything received has been replayed; otherwise the time since the last replayed transaction
/// committed on the primary. Null on a primary, or on a standby that has replayed no transaction yet.
/// </param>
/// <param name="UnreplayedBytes">WAL received but not yet replayed, in bytes; null on a primary.</param>
/// <param name="LastReplayedCommitAt">Commit time (on the primary) of the last replayed transaction; null when none.</param>
public sealed record ReadReplicaStatus(bool IsStandby, TimeSpan? ReplayLag, long? UnreplayedBytes, DateTimeOffset? LastReplayedCommitAt)
{
    // pg_last_xact_replay_timestamp() alone grows while the primary is idle; a standby that has replayed all it
    // received is not behind, so its lag is 0.
    private const string Sql = """
        select pg_is_in_recovery(),
               case when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then interval '0'
                    else now() - pg_last_xact_replay_timestamp() end,
               pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint,
               pg_last_xact_replay_timestamp()
        """;

    /// <summary>Reads the status over <paramref name="connectionString"/> (one short-lived, unpooled connection).</summary>
    public static async Task<ReadReplicaStatus> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var isStandby = reader.GetBoolean(0);
        return new ReadReplicaStatus(
            isStandby,
            isStandby && !reader.IsDBNull(1) ? reader.GetFieldValue<TimeSpan>(1) : null,
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>
    /// One line for <c>netbet status</c>: the server behind <paramref name="connectionString"/>, standby or primary,
    /// with the replay lag; or why it could not be asked. Never throws for an unreachable server.
    /// </summary>
    public static async Task<string> DescribeAsync(string connectionString, CancellationToken cancellationToken)
    {
        var where = NetBetDatabase.Describe(connectionString);
        try
        {
            return $"{(await ReadAsync(connectionString, cancellationToken)).Describe()} ({where})";
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException)
        {
            return $"unreachable ({where}): {e.Message.Split('\n')[0]}";
        }
    }

    /// <summary>The status as words: a primary, or a standby with its lag.</summary>
    public string Describe()
    {
        if (!IsStandby)
        {
            return "a primary, not a standby";
        }

        var lag = ReplayLag is { } l ? string.Create(CultureInfo.InvariantCulture, $"{l.TotalSeconds:0.0} s") : "unknown (no transaction replayed yet)";
        var last = LastReplayedCommitAt is { } at
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "none";
        return string.Create(CultureInfo.InvariantCulture, $"hot standby, replication lag {lag}, {UnreplayedBytes ?? 0:N0} bytes received not yet replayed, last replayed commit {last}");
    }
}
