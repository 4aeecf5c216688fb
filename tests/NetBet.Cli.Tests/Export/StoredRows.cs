using Dapper;
using NetBet.Core.Metrics;
using Npgsql;

namespace NetBet.Cli.Tests.Export;

/// <summary>What the database holds, read with plain SQL independent of the export code, to compare exports against.</summary>
internal sealed record StoredSnapshot(long SnapshotId, string MarketId, DateTimeOffset SnapshotAt, bool? Inplay, string? Status, double? TotalMatched, string? EventName, double?[] Metrics);

internal static class StoredRows
{
    public static async Task<List<StoredSnapshot>> ReadAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            select s.snapshot_id, s.market_id, s.snapshot_at, s.inplay, s.status, s.total_matched, m.event_name,
                   {string.Join(", ", MetricColumns.Names.Select(n => "d." + n))}
            from market_book_snapshots s
            join market_event_metadata m on m.market_id = s.market_id
            left join market_derived_metrics d on d.snapshot_id = s.snapshot_id
            order by s.market_id, s.snapshot_at
            """,
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<StoredSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var metrics = new double?[MetricColumns.Count];
            for (var i = 0; i < metrics.Length; i++)
            {
                metrics[i] = reader.IsDBNull(7 + i) ? null : reader.GetDouble(7 + i);
            }

            rows.Add(new StoredSnapshot(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetDouble(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                metrics));
        }

        return rows;
    }

    public static async Task<List<(long SnapshotId, string Payload)>> ReadPayloadsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var rows = await connection.QueryAsync<(long, string)>(new CommandDefinition(
            "select snapshot_id, raw_payload::text from market_book_snapshots order by market_id, snapshot_at", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Splits RFC 4180 CSV into records of fields (quoted fields may hold commas, quotes and line breaks).</summary>
    public static List<string[]> ParseCsv(string text)
    {
        var records = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                records.Add([.. fields]);
                fields.Clear();
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        Assert.Empty(fields); // every record ends with CRLF
        return records;
    }
}
