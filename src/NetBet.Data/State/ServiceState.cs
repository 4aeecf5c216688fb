using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace NetBet.Data.State;

/// <summary>One <c>service_state</c> row.</summary>
/// <param name="Key">The key, e.g. <c>poller.last_tick</c>.</param>
/// <param name="UpdatedAt">When it was last written.</param>
/// <param name="Value">The JSON value as text, or null.</param>
public sealed record ServiceStateEntry(string Key, DateTimeOffset UpdatedAt, string? Value);

/// <summary>
/// Small key/value state of long-running services in <c>service_state</c> (such as the poller's last tick), so a
/// status page or a restarted service can read it. Values are JSON.
/// </summary>
public sealed class ServiceState(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The key the poller writes after each successful tick; read by <c>netbet status</c> and <c>/api/health</c>.
    /// Declared here, where the writer and both readers can reach it.
    /// </summary>
    public const string PollerLastTickKey = "poller.last_tick";

    private const string UpsertSql = """
        insert into service_state (key, updated_at, value) values (@key, now(), @value)
        on conflict (key) do update set updated_at = excluded.updated_at, value = excluded.value
        """;

    private const string SelectSql = "select key, updated_at as updatedat, value::text as value from service_state";

    /// <summary>Stores <paramref name="jsonValue"/> (JSON text, or null) under <paramref name="key"/>, stamped now.</summary>
    public async Task SetJsonAsync(string key, string? jsonValue, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                UpsertSql,
                new { key, value = new JsonbParameter(jsonValue) },
                cancellationToken: cancellationToken));
        }
        catch (PostgresException e) when (SchemaNotReadyException.IsMissingObject(e))
        {
            throw SchemaNotReadyException.From(e);
        }
    }

    /// <summary>Stores <paramref name="value"/> serialised with the web JSON defaults (camelCase).</summary>
    public Task SetAsync<T>(string key, T value, CancellationToken cancellationToken) =>
        SetJsonAsync(key, JsonSerializer.Serialize(value, JsonSerializerOptions.Web), cancellationToken);

    /// <summary>The entry under <paramref name="key"/>, or null.</summary>
    public async Task<ServiceStateEntry?> GetEntryAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return (await QueryAsync(SelectSql + " where key = @key", new { key }, cancellationToken)).SingleOrDefault();
    }

    /// <summary>The value under <paramref name="key"/> deserialised with the web JSON defaults, or default.</summary>
    public async Task<T?> GetAsync<T>(string key, CancellationToken cancellationToken)
    {
        var entry = await GetEntryAsync(key, cancellationToken);
        return entry?.Value is { } json ? JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web) : default;
    }

    /// <summary>Every entry, ordered by key.</summary>
    public Task<IReadOnlyList<ServiceStateEntry>> ListAsync(CancellationToken cancellationToken) =>
        QueryAsync(SelectSql + " order by key", null, cancellationToken);

    private async Task<IReadOnlyList<ServiceStateEntry>> QueryAsync(string sql, object? parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
            return [.. rows.Select(r => new ServiceStateEntry(r.Key, new DateTimeOffset(DateTime.SpecifyKind(r.UpdatedAt, DateTimeKind.Utc)), r.Value))];
        }
        catch (PostgresException e) when (SchemaNotReadyException.IsMissingObject(e))
        {
            throw SchemaNotReadyException.From(e);
        }
    }

    private sealed class Row
    {
        public string Key { get; init; } = "";

        public DateTime UpdatedAt { get; init; }

        public string? Value { get; init; }
    }

    private sealed class JsonbParameter(string? json) : SqlMapper.ICustomQueryParameter
    {
        public void AddParameter(System.Data.IDbCommand command, string name) =>
            command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = (object?)json ?? DBNull.Value });
    }
}
