using System.Text.Json;
using NetBet.Data;
using NetBet.Data.Queries;
using NetBet.Web.Events;
using NetBet.Web.Exports;
using NetBet.Web.Health;
using NetBet.Web.Http;
using NetBet.Web.Leagues;
using NetBet.Web.Snapshots;

var builder = WebApplication.CreateBuilder(args);

// Loopback only unless --urls (or ASPNETCORE_URLS) says otherwise.
if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.UseUrls("http://127.0.0.1:8000");
}

// NETBET_DB from configuration (the environment, or a test host's settings), else the private cluster. The app
// never migrates: `netbet migrate` is a separate step.
var connectionString = await NetBetDatabase.ResolveConnectionStringAsync(
    builder.Configuration[NetBetDatabase.ConnectionStringVariable], logger: null, CancellationToken.None);
builder.Services.AddNetBetData(ReadOnlyDatabase.Restrict(connectionString));
builder.Services.AddNetBetQueries();
builder.Services.AddSingleton(TimeProvider.System);

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseOutage>();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();

app.MapOpenApi();
app.MapHealth();
app.MapLeagues();
app.MapEvents();
app.MapSnapshots();
app.MapSnapshotLadder();
app.MapEventExports();
app.MapUi();

await app.RunAsync();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
