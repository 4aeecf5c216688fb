using System.Security.Cryptography;
using Dapper;
using NetBet.Data.Cluster;
using Npgsql;

namespace NetBet.Data.Tests.Cluster;

public sealed class RecreateDatabaseTests(DatabaseFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RecreateDatabase_ExistingWithDataAndASession_ComesBackEmpty()
    {
        var server = await fixture.CreateDatabaseAsync(migrated: false, Ct);
        var name = "netbet_recreate_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        try
        {
            var first = await PostgresCluster.RecreateDatabaseAsync(server, name, Ct);
            Assert.Equal(name, new NpgsqlConnectionStringBuilder(first).Database);
            await using (var session = new NpgsqlConnection(first))
            {
                await session.ExecuteAsync(new CommandDefinition("create table leftover (id int)", cancellationToken: Ct));

                // The session stays open: recreating disconnects it. The connection string may name the database itself.
                var second = await PostgresCluster.RecreateDatabaseAsync(first, name, Ct);
                Assert.Equal(first, second);
            }

            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(first);
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from pg_tables where tablename = 'leftover'", cancellationToken: Ct)));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await PostgresCluster.DropDatabaseAsync(server, name, CancellationToken.None);
        }
    }
}
