using Npgsql;

namespace NetBet.Data.State;

/// <summary>
/// A counter in <c>service_state</c> that moves whenever stored history changes behind a market's newest snapshot:
/// a backfill batch, a restored month, a historical import. The web app's caches and ETags include it, so an answer
/// cached before such a change is never served after it. Live writers (poller, stream recorder) do not move it: what
/// they add becomes the market's newest snapshot, which the cache key already includes.
/// </summary>
public static class HistoryGeneration
{
    /// <summary>The <c>service_state</c> key.</summary>
    public const string Key = "history.generation";

    // After the change's commit, never inside its transaction: a reader that sees the new generation must also see
    // the new rows. A crash between the two leaves the old generation until the next change (cached answers expire
    // on their own within minutes).
    private const string BumpSql = """
        insert into service_state (key, updated_at, value) values (@key, now(), '1'::jsonb)
        on conflict (key) do update
        set updated_at = now(), value = to_jsonb(coalesce((service_state.value #>> '{}')::bigint, 0) + 1)
        """;

    /// <summary>Moves the counter on; call after the change has committed.</summary>
    /// <param name="connection">An open connection outside any transaction.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    public static async Task BumpAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(BumpSql, connection);
        command.Parameters.AddWithValue("key", Key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
