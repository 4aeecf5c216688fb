using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace NetBet.Bench.Harness;

/// <summary>What the figures were measured on: recorded beside them so runs on different machines or commits compare.</summary>
internal sealed record Machine(
    int Cores,
    long MemoryBytes,
    string Os,
    string Dotnet,
    string PostgreSql,
    string GitCommit,
    bool GitDirty,
    string LoadAverageAtStart)
{
    public static Machine Describe()
    {
        var root = RepositoryRoot();
        var commit = root is null ? null : Run("git", $"-C \"{root}\" rev-parse HEAD");
        var dirty = root is not null && !string.IsNullOrWhiteSpace(Run("git", $"-C \"{root}\" status --porcelain --untracked-files=no"));
        return new Machine(
            Environment.ProcessorCount,
            TotalMemoryBytes(),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            PostgreSqlVersion() ?? "unknown",
            commit ?? "unknown",
            dirty,
            LoadAverage());
    }

    /// <summary>The 1, 5 and 15 minute load averages, or "unknown" off Linux.</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>The folder holding NetBet.slnx, found from the working directory up; null when not in a checkout.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static long TotalMemoryBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (line is not null)
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (IOException)
        {
            // Not Linux: fall back to what the GC sees.
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    // The server the benchmarks start: NETBET_PG_BIN's, else the newest under /usr/lib/postgresql, else PATH's.
    private static string? PostgreSqlVersion()
    {
        var bin = Environment.GetEnvironmentVariable("NETBET_PG_BIN");
        if (string.IsNullOrEmpty(bin) && Directory.Exists("/usr/lib/postgresql"))
        {
            bin = Directory.EnumerateDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : -1))
                .Where(d => d.Major > 0)
                .OrderByDescending(d => d.Major)
                .Select(d => Path.Combine(d.Dir, "bin"))
                .FirstOrDefault();
        }

        return Run(string.IsNullOrEmpty(bin) ? "postgres" : Path.Combine(bin, "postgres"), "--version");
    }

    private static string? Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
