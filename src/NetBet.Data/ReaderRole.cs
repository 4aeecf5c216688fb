using Npgsql;

namespace NetBet.Data;

/// <summary>
/// <c>netbet_reader</c>, the NOLOGIN role the migration <c>2026-11-28_add_reader_role</c> grants <c>SELECT</c> on
/// the tables, and login roles that are members of it: what the web app connects as.
/// </summary>
public static class ReaderRole
{
    /// <summary>The group role holding the read privileges.</summary>
    public const string Name = "netbet_reader";

    /// <summary>The login role the private cluster creates for the web app.</summary>
    public const string WebLogin = "netbet_web";

    // The password travels as a setting local to the transaction, so it is never part of a statement's text.
    private const string EnsureLoginSql = """
        select set_config('netbet.login', @login, true), set_config('netbet.password', @password, true);
        do $$
        begin
          if not exists (select 1 from pg_roles where rolname = 'netbet_reader') then
            begin
              create role netbet_reader nologin;
            exception when duplicate_object or unique_violation then null;
            end;
          end if;
          if not exists (select 1 from pg_roles where rolname = current_setting('netbet.login')) then
            begin
              execute format('create role %I login', current_setting('netbet.login'));
            exception when duplicate_object or unique_violation then null;
            end;
          end if;
          execute format('alter role %I login nosuperuser nocreatedb nocreaterole noreplication password %L',
                         current_setting('netbet.login'), current_setting('netbet.password'));
          execute format('alter role %I set default_transaction_read_only = on', current_setting('netbet.login'));
          execute format('grant netbet_reader to %I', current_setting('netbet.login'));
        end
        $$;
        """;

    /// <summary>
    /// Creates <paramref name="login"/> (or updates it: login allowed, password set, nothing else) as a member of
    /// <see cref="Name"/>, creating that role too when no migration has yet. Roles are cluster-wide: one call serves
    /// every database of the server; the <c>SELECT</c> grants come from each database's migration.
    /// </summary>
    /// <param name="adminConnectionString">A connection as a role with CREATEROLE (the cluster's superuser).</param>
    /// <param name="login">The login role's name.</param>
    /// <param name="password">Its password; never logged.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public static async Task EnsureLoginAsync(string adminConnectionString, string login, string password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(login);
        ArgumentException.ThrowIfNullOrEmpty(password);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(EnsureLoginSql, connection, transaction))
        {
            command.Parameters.AddWithValue("login", login);
            command.Parameters.AddWithValue("password", password);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
