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

// NETBET_DB_READ, else NETBET_DB (read-only by session setting only), else the private cluster's read-only login,
// all from configuration (the environment, or a test host's settings). The app never migrates: `netbet migrate` is a
// separate step. Whatever the role, the session is read-only, statements are time-limited and the pool is bounded.
var limits = WebLimitsOptions.Read(builder.Configuration);
var read = await ReadDatabase.ResolveAsync(
    builder.Configuration[ReadDatabase.ConnectionStringVariable],
    builder.Configuration[NetBetDatabase.ConnectionStringVariable],
    logger: null,
    CancellationToken.None);
builder.Services.AddNetBetData(ReadOnlyDatabase.ForWeb(read.ConnectionString, limits));
builder.Services.AddNetBetQueries();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddApiLimits(limits);
builder.Services.AddHttpCaching();

builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<DatabaseOutage>();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(options =>
{
    options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, EventsJsonContext.Default);
});

var app = builder.Build();

if (read.Access == ReadAccess.SessionSettingOnly)
{
    app.Logger.LogWarning("{Warning}", ReadDatabase.SessionSettingOnlyWarning);
}

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseRouting();
app.UseRateLimiter();
app.UseHttpCaching();

app.MapOpenApi();

// Every API route: bounded concurrency, and text parameters checked before any handler sees them.
var api = app.MapGroup("").RequireRateLimiting(ApiLimits.Policy).AddEndpointFilter<ParameterTextFilter>();
api.MapHealth();
api.MapLeagues();
api.MapEvents();
api.MapSnapshots();
api.MapEventExports();
app.MapUi();

await app.RunAsync();

/// <summary>Entry point, public for WebApplicationFactory in tests.</summary>
public partial class Program;
