using NetBet.Web.Http;
using Npgsql;

namespace NetBet.Web.Tests.Api;

public sealed class ReadOnlyDatabaseTests(WebFixture web)
{
    [Fact]
    public async Task Restrict_AnyWrite_IsRefusedByTheServer()
    {
        await using var dataSource = NpgsqlDataSource.Create(ReadOnlyDatabase.Restrict(web.ConnectionString));
        await using var command = dataSource.CreateCommand("update market_event_metadata set market_name = market_name");

        var e = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));

        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, e.SqlState);
    }

    [Fact]
    public void Restrict_ExistingOptions_AreKept()
    {
        var restricted = new NpgsqlConnectionStringBuilder(ReadOnlyDatabase.Restrict("Host=h;Options=-c search_path=x"));

        Assert.Equal("-c search_path=x -c default_transaction_read_only=on", restricted.Options);
    }
}
