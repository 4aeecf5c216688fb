using System.Net;
using System.Text.Json;
using NetBet.Data;
using Npgsql;

namespace NetBet.Web.Tests.Api;

/// <summary>The netbet_reader role: granted by the migration, idempotent across databases of one server.</summary>
public sealed class ReaderRoleTests(WebFixture web)
{
    [Fact]
    public async Task Database_MigratedBeforeTheReaderRole_Is503AccessDenied()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await web.CreateMigratedDatabaseAsync("2026-11-26_add_service_state", ct);

        await using var factory = new NetBetWebFactory(database, kestrel: false, new() { [ReadDatabase.ConnectionStringVariable] = web.ReaderConnectionString(database) });
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/api/leagues", UriKind.Relative), ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal("Database access denied", body.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Migration_InASecondDatabaseOfTheServer_GrantsThereToo()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await web.CreateMigratedDatabaseAsync(migrateTo: null, ct);

        await using var reader = NpgsqlDataSource.Create(web.ReaderConnectionString(database));
        await using var command = reader.CreateCommand("select count(*) from market_book_snapshots");

        Assert.Equal(0L, await command.ExecuteScalarAsync(ct));
    }

    [Fact]
    public async Task EnsureLogin_Twice_KeepsOneLoginWithTheNewPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await ReaderRole.EnsureLoginAsync(web.Server.Server, web.Reader.Login, web.Reader.Password, ct);

        await using var reader = NpgsqlDataSource.Create(web.ReadConnectionString);
        await using var command = reader.CreateCommand(
            "select pg_has_role(current_user, 'netbet_reader', 'member'), current_setting('default_transaction_read_only')");
        await using var row = await command.ExecuteReaderAsync(ct);
        Assert.True(await row.ReadAsync(ct));
        Assert.True(row.GetBoolean(0));
        Assert.Equal("on", row.GetString(1));
    }
}
