using Npgsql;

namespace NetBet.Data.Cluster;

/// <summary>
/// Database-level helpers that work on any server, the private cluster or the one <c>NETBET_DB</c> names: tests use
/// them to clone a migrated template database per test class.
/// </summary>
public sealed partial class PostgresCluster
{
    /// <summary>Creates <paramref name="database"/> when missing, connecting with <paramref name="serverConnectionString"/>.</summary>
    public static async Task EnsureDatabaseAsync(string serverConnectionString, string database, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAdminConnectionAsync(serverConnectionString, cancellationToken);
        await using (var exists = new NpgsqlCommand("select 1 from pg_database where datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = database });
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                return;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"create database {QuoteIdentifier(database)}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Created by a concurrent process in the meantime.
        }
    }

    /// <summary>
    /// Creates <paramref name="database"/>, copied from <paramref name="template"/> when given
    /// (<c>CREATE DATABASE x TEMPLATE t</c>). Nobody may be connected to the template: open its connections with
    /// <c>Pooling=false</c> or clear their pool first. A copy that races another session on the template is retried.
    /// </summary>
    public static async Task CreateDatabaseAsync(string serverConnectionString, string database, string? template, CancellationToken cancellationToken)
    {
        var sql = $"create database {QuoteIdentifier(database)}" + (template is null ? "" : $" template {QuoteIdentifier(template)}");
        await using var connection = await OpenAdminConnectionAsync(serverConnectionString, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
    }

    /// <summary>Drops <paramref name="database"/> if it exists, disconnecting its sessions.</summary>
    public static async Task DropDatabaseAsync(string serverConnectionString, string database, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAdminConnectionAsync(serverConnectionString, cancellationToken);
        await using var command = new NpgsqlCommand($"drop database if exists {QuoteIdentifier(database)} with (force)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Drops <paramref name="database"/> if it exists (disconnecting its sessions) and creates it empty, connecting to
    /// the server's <c>postgres</c> maintenance database so that <paramref name="serverConnectionString"/> may name
    /// the very database being recreated. Returns the new database's connection string.
    /// </summary>
    public static async Task<string> RecreateDatabaseAsync(string serverConnectionString, string database, CancellationToken cancellationToken)
    {
        var maintenance = WithDatabase(serverConnectionString, "postgres");
        await DropDatabaseAsync(maintenance, database, cancellationToken);
        await CreateDatabaseAsync(maintenance, database, template: null, cancellationToken);
        return WithDatabase(serverConnectionString, database);
    }

    /// <summary><paramref name="connectionString"/> pointing at another database of the same server.</summary>
    public static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    /// <summary>A double-quoted SQL identifier.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static async Task<NpgsqlConnection> OpenAdminConnectionAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
