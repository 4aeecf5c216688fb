using System.Diagnostics;
using System.Text;

namespace NetBet.Data.Cluster;

/// <summary>
/// Runs PostgreSQL programs. PostgreSQL refuses to run as root, so when this process is root they run as the
/// <c>postgres</c> system user through <c>runuser -u postgres --</c>.
/// </summary>
internal static class PostgresTool
{
    public const string ServiceUser = "postgres";

    /// <summary>Whether programs run as <see cref="ServiceUser"/> (this process is root).</summary>
    public static bool RunsAsServiceUser => OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess;

    public static async Task<ToolResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        string workingDirectory,
        CancellationToken cancellationToken,
        bool asServiceUser = true)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        if (asServiceUser && RunsAsServiceUser)
        {
            startInfo.FileName = "runuser";
            foreach (var argument in (string[])["-u", ServiceUser, "--", program])
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            startInfo.FileName = program;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // English messages so failures can be recognised and reported as they are.
        startInfo.Environment["LC_ALL"] = "C";
        foreach (var variable in (string[])["PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGPASSWORD", "PGDATABASE"])
        {
            startInfo.Environment.Remove(variable);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new DatabaseUnavailableException($"cannot run {startInfo.FileName}: {e.Message}", e);
        }

        process.StandardInput.Close();
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

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString().Trim();
        return new ToolResult(process.ExitCode, output);
    }

    /// <summary>Changes the owner of a path to the service user (root only).</summary>
    public static async Task ChownAsync(string path, CancellationToken cancellationToken)
    {
        var result = await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", path], "/", cancellationToken, asServiceUser: false);
        if (result.ExitCode != 0)
        {
            throw new DatabaseUnavailableException(
                $"cannot give {path} to the '{ServiceUser}' user PostgreSQL runs as: {FirstLine(result.Output)}");
        }
    }

    /// <summary>
    /// Checks that the service user can reach <paramref name="directory"/>; when it cannot, names the first
    /// ancestor it cannot traverse.
    /// </summary>
    public static async Task EnsureServiceUserCanReachAsync(string directory, CancellationToken cancellationToken)
    {
        if (!RunsAsServiceUser)
        {
            return;
        }

        if ((await RunAsync("test", ["-r", directory, "-a", "-w", directory, "-a", "-x", directory], "/", cancellationToken)).ExitCode == 0)
        {
            return;
        }

        var blocked = directory;
        var ancestors = new List<string>();
        for (var current = Path.GetDirectoryName(directory); !string.IsNullOrEmpty(current); current = Path.GetDirectoryName(current))
        {
            ancestors.Insert(0, current);
        }

        foreach (var ancestor in ancestors)
        {
            if ((await RunAsync("test", ["-x", ancestor], "/", cancellationToken)).ExitCode != 0)
            {
                blocked = ancestor;
                break;
            }
        }

        throw new DatabaseUnavailableException(
            $"netbet runs as root, so its PostgreSQL runs as the '{ServiceUser}' user, which cannot reach {directory} " +
            $"because {blocked} is not accessible to it: allow it (chmod o+x {blocked}), point NETBET_HOME at a directory " +
            "it can reach, or set NETBET_DB to an existing database");
    }

    public static string FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(line) ? "(no output)" : line;
    }
}

internal readonly record struct ToolResult(int ExitCode, string Output);
