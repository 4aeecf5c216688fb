using NetBet.Core.Metrics;
using NetBet.Data.Backfill;
using Npgsql;

namespace NetBet.Data.Audit;

/// <summary>
/// Audits the metric tables. Everything is computed in PostgreSQL: one pass over the snapshots (sections A, B) and
/// one over the derived rows that have a NULL metric column (C, D, E), where jsonb path checks stand in for the
/// reader and the engine's row conditions (see <c>Sql/audit_eligibility.sql</c>). Payloads never leave the server,
/// so the audit costs about one sequential read of the tables.
/// </summary>
public sealed class Auditor(NpgsqlDataSource dataSource)
{
    /// <summary>The reason the audit gives a payload the reader would reject; the backfill counts such rows as errors.</summary>
    public const string UnreadablePayload = "unreadable payload";

    private static readonly string InventorySql = SqlResource.Read("audit_inventory.sql");
    private static readonly string EligibilitySql = SqlResource.Read("audit_eligibility.sql");

    // The reasons a stored snapshot can be skipped for, as the eligibility statement's parameters: the texts come
    // from the one vocabulary, never from the SQL file.
    private static readonly (string Parameter, string Text)[] ReasonParameters =
    [
        ("no_raw_payload", SkipReason.NoRawPayload.Describe()),
        ("unreadable_payload", UnreadablePayload),
        ("no_market_id", SkipReason.NoMarketId.Describe()),
        ("fewer_than_three_runners", SkipReason.FewerThanThreeRunners.Describe()),
        ("no_roles_for_market", SkipReason.NoRolesForMarket.Describe()),
        ("role_runner_missing", SkipReason.RoleRunnerMissing.Describe()),
    ];

    /// <summary>Runs the audit over every snapshot.</summary>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public Task<AuditReport> RunAsync(CancellationToken cancellationToken) => RunAsync(null, null, cancellationToken);

    /// <summary>Runs the audit over the snapshots taken in <paramref name="from"/> .. <paramref name="to"/>; only those months' partitions are read.</summary>
    /// <param name="from">Inclusive lower bound of <c>snapshot_at</c>; null for no bound.</param>
    /// <param name="to">Exclusive upper bound of <c>snapshot_at</c>; null for no bound.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public async Task<AuditReport> RunAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await MetricSchema.ExistingMetricColumnsAsync(connection, cancellationToken);

        long total, markets, payloadRows, ladderRows, withoutRoles, derivedRows;
        DateTimeOffset? oldest, newest;
        var sources = new List<KeyValuePair<string, long>>();
        await using (var command = Command(InventorySql, connection, from, to))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            total = reader.GetInt64(0);
            oldest = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
            newest = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            markets = reader.GetInt64(3);
            payloadRows = reader.GetInt64(4);
            ladderRows = reader.GetInt64(5);
            withoutRoles = reader.GetInt64(6);
            derivedRows = reader.GetInt64(7);
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sources.Add(new(reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var nullCounts = new long[existing.Count];
        var recomputable = new long[existing.Count];
        var skipReasons = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long wouldUpdate = 0, wouldError = 0;
        if (existing.Count > 0)
        {
            await using var command = Command(EligibilityQuery(existing), connection, from, to);
            AddReasonParameters(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var reason = reader.IsDBNull(0) ? null : reader.GetString(0);
                var rows = reader.GetInt64(1);
                for (var i = 0; i < existing.Count; i++)
                {
                    var nulls = reader.GetInt64(2 + i);
                    nullCounts[i] += nulls;
                    if (reason is null)
                    {
                        recomputable[i] += nulls;
                    }
                }

                switch (reason)
                {
                    case null: wouldUpdate += rows; break;
                    case UnreadablePayload: wouldError += rows; break;
                    default: skipReasons[reason] = rows; break;
                }
            }
        }

        var columns = existing
            .Select((name, i) => new AuditColumn(
                name,
                nullCounts[i],
                derivedRows == 0 ? 0 : Math.Round(100.0 * nullCounts[i] / derivedRows, 2),
                recomputable[i],
                AuditColumn.TierOf(nullCounts[i], recomputable[i])))
            .ToList();
        var archived = await Archive.MonthArchiver.ListArchivedAsync(connection, cancellationToken);
        return new AuditReport
        {
            ArchivedMonths = archived,
            From = from,
            To = to,
            TotalSnapshots = total,
            Oldest = oldest,
            Newest = newest,
            Markets = markets,
            Sources = sources,
            RawPayloadRows = payloadRows,
            LadderRows = ladderRows,
            RowsWithoutRoles = withoutRoles,
            DerivedRows = derivedRows,
            Columns = columns,
            MissingColumns = [.. MetricColumns.Names.Except(existing)],
            WouldUpdate = wouldUpdate,
            WouldSkip = skipReasons.Values.Sum(),
            WouldError = wouldError,
            SkipReasons = skipReasons,
        };
    }

    /// <summary>The eligibility statement for the metric columns the schema has.</summary>
    internal static string EligibilityQuery(IReadOnlyList<string> existing) => EligibilitySql
        .Replace("{null_counts}", string.Concat(existing.Select((c, i) => $",\n  count(*) filter (where d.{c} is null) as n{i}")), StringComparison.Ordinal)
        .Replace("{any_null}", string.Join(" or ", existing.Select(c => $"d.{c} is null")), StringComparison.Ordinal);

    /// <summary>Binds the skip-reason texts the eligibility statement reports (<c>@no_raw_payload</c>, ...).</summary>
    internal static void AddReasonParameters(NpgsqlCommand command)
    {
        foreach (var (parameter, text) in ReasonParameters)
        {
            command.Parameters.AddWithValue(parameter, text);
        }
    }

    /// <summary>The inventory statements (sections A and B).</summary>
    internal static string InventoryQuery => InventorySql;

    /// <summary>A command with <c>@from</c> and <c>@to</c> bound (NULL for an open end).</summary>
    internal static NpgsqlCommand Command(string sql, NpgsqlConnection connection, DateTimeOffset? from, DateTimeOffset? to)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter("from", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)from?.UtcDateTime ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("to", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)to?.UtcDateTime ?? DBNull.Value });
        return command;
    }
}
