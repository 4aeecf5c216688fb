using System.Diagnostics;
using Dapper;
using Npgsql;

namespace NetBet.Cli.Tests.Demo;

/// <summary>
/// The newcomer's path: <c>./netbet demo</c> from the repository root with no NETBET_DB, so the script builds the
/// tool, the private cluster is created from nothing in a fresh NETBET_HOME, the whole seed plan runs, and the UI is
/// served (read as the cluster's read-only login) until Ctrl-C.
/// </summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_OnAFreshHome_RecordsBackfillsProvesItAndServesAsTheReader()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var root = RepositoryRoot();
        var home = Path.Combine(Path.GetTempPath(), "netbet-demo-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (exitCode, stdout, stderr, webLogins) = await ServeDemoAsync(root, home, cancellationToken);
            Assert.True(exitCode == 0, $"demo exited {exitCode}\nstdout:\n{stdout}\nstderr:\n{stderr}");

            // The UI answered, and every connection it held to the demo database was the read-only login.
            Assert.Equal(["netbet_web"], webLogins);

            // Each step says what it proved.
            Assert.Contains("[demo] migrate    to 2026-02-06_base_schema", stdout, StringComparison.Ordinal);
            Assert.Matches(@"the 18 new columns are NULL for all ([\d,]+) of the \1 rows recorded before the migration .*, tier A;", stdout);
            Assert.Matches(@"one tick on the new schema: [1-9]\d* snapshots stored", stdout);
            Assert.Matches(@"\[demo\] stream .* ([1-9]\d*) of \1 half-minute books have the derived row of the poll", stdout);
            Assert.Contains("the 18 new columns are NULL 0%", stdout, StringComparison.Ordinal);
            Assert.Contains(": 0 differ from the engine", stdout, StringComparison.Ordinal);
            Assert.Matches(@"Backfill complete: (\d+) processed, \1 updated, 0 skipped, 0 errors", stdout);

            // And the database agrees: at least 50 markets and 10,000 snapshots, no NULL left in the new columns.
            var (urlExit, url, urlError) = await RunAsync(root, home, cancellationToken, "db", "url");
            Assert.True(urlExit == 0, $"db url exited {urlExit}: {urlError}");
            var demo = new NpgsqlConnectionStringBuilder(url.Trim()) { Database = "netbet_demo" }.ConnectionString;
            await using var connection = new NpgsqlConnection(demo);
            await connection.OpenAsync(cancellationToken);
            var (snapshots, markets, derived) = await connection.QuerySingleAsync<(long, long, long)>(
                """
                select (select count(*) from market_book_snapshots),
                       (select count(distinct market_id) from market_book_snapshots),
                       (select count(*) from market_derived_metrics)
                """);
            Assert.True(snapshots >= 10_000, $"{snapshots} snapshots");
            Assert.True(markets >= 50, $"{markets} markets");
            Assert.Equal(snapshots, derived);
            var nulls = await connection.QuerySingleAsync<long>(
                """
                select count(*) from market_derived_metrics
                where home_back_stake is null or away_lay_odds is null or draw_best_back_size_l1 is null or home_best_lay_size_l1 is null
                """);
            Assert.Equal(0, nulls);
        }
        finally
        {
            await RunAsync(root, home, CancellationToken.None, "db", "stop");
            TryDelete(home);
        }
    }

    /// <summary>
    /// Runs <c>./netbet demo</c> until it serves, asks the UI for its leagues, notes who the UI's connections to the
    /// demo database log in as (from pg_stat_activity, as the cluster's superuser), then stops it with SIGINT.
    /// </summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr, string[] WebLogins)> ServeDemoAsync(string root, string home, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        foreach (var arg in new[] { Path.Combine(root, "netbet"), "demo", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NETBET_DB");
        start.Environment["NETBET_HOME"] = home;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = new System.Text.StringBuilder();
        string[] logins = [];
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
            {
                stdout.AppendLine(line);
                if (line.StartsWith("Serving NetBet UI at ", StringComparison.Ordinal))
                {
                    logins = await WebLoginsAsync(root, home, new Uri(line["Serving NetBet UI at ".Length..]), cancellationToken);
                    // ./netbet execs the CLI, so this is the demo process itself: Ctrl-C, as a user stops it.
                    using var interrupt = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                    await interrupt.WaitForExitAsync(cancellationToken);
                }
            }

            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, stdout.ToString(), await stderr, logins);
    }

    private static async Task<string[]> WebLoginsAsync(string root, string home, Uri ui, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = ui };
        using var leagues = await http.GetAsync(new Uri("api/leagues", UriKind.Relative), cancellationToken);
        Assert.True(leagues.IsSuccessStatusCode, $"GET /api/leagues: {(int)leagues.StatusCode}");
        var (urlExit, url, urlError) = await RunAsync(root, home, cancellationToken, "db", "url");
        Assert.True(urlExit == 0, $"db url exited {urlExit}: {urlError}");
        var demo = new NpgsqlConnectionStringBuilder(url.Trim()) { Database = "netbet_demo" }.ConnectionString;
        await using var connection = new NpgsqlConnection(demo);
        await connection.OpenAsync(cancellationToken);
        var logins = await connection.QueryAsync<string>(
            "select distinct usename::text from pg_stat_activity where datname = 'netbet_demo' and pid <> pg_backend_pid()");
        return [.. logins.Order(StringComparer.Ordinal)];
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string root, string home, CancellationToken cancellationToken, params string[] args)
    {
        // The demo goes through ./netbet like a newcomer; the follow-up commands use the CLI that run just built.
        var builtCli = Path.Combine(root, "artifacts", "bin", "NetBet.Cli", "release", "netbet.dll");
        var viaScript = args[0] == "demo" || !File.Exists(builtCli);
        var start = new ProcessStartInfo(viaScript ? "bash" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(viaScript ? Path.Combine(root, "netbet") : builtCli);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("NETBET_DB");
        start.Environment["NETBET_HOME"] = home;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (NetBet.slnx) not found above " + AppContext.BaseDirectory);
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
