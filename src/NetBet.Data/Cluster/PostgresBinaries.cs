using System.Diagnostics;
using System.Globalization;

namespace NetBet.Data.Cluster;

/// <summary>Finds the PostgreSQL server programs (<c>initdb</c>, <c>pg_ctl</c>, <c>pg_isready</c>) of the machine.</summary>
internal static class PostgresBinaries
{
    /// <summary>Optional override: a directory holding initdb and pg_ctl.</summary>
    public const string BinDirectoryVariable = "NETBET_PG_BIN";

    public const string NotFoundMessage =
        "PostgreSQL server binaries not found: install the Debian package 'postgresql' (apt-get install postgresql)";

    /// <summary>
    /// The bin directory: <c>$NETBET_PG_BIN</c>, then the one matching <paramref name="preferredMajorVersion"/> (an
    /// existing cluster's PG_VERSION), then <c>pg_config --bindir</c>, then the highest /usr/lib/postgresql/*/bin.
    /// </summary>
    /// <exception cref="DatabaseUnavailableException">No directory with initdb and pg_ctl was found.</exception>
    public static string Find(string? preferredMajorVersion = null)
    {
        var candidates = new List<string?>
        {
            Environment.GetEnvironmentVariable(BinDirectoryVariable),
            preferredMajorVersion is null ? null : $"/usr/lib/postgresql/{preferredMajorVersion}/bin",
            PgConfigBinDirectory(),
        };
        candidates.AddRange(DebianBinDirectories());
        return candidates.FirstOrDefault(HasServerPrograms) ?? throw new DatabaseUnavailableException(NotFoundMessage);
    }

    private static bool HasServerPrograms(string? directory) =>
        !string.IsNullOrEmpty(directory)
        && File.Exists(Path.Combine(directory, "initdb"))
        && File.Exists(Path.Combine(directory, "pg_ctl"));

    private static IEnumerable<string> DebianBinDirectories()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return [];
        }

        return Directory.EnumerateDirectories(root)
            .Select(path => (path, version: decimal.TryParse(Path.GetFileName(path), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(x => x.version >= 0)
            .OrderByDescending(x => x.version)
            .Select(x => Path.Combine(x.path, "bin"));
    }

    private static string? PgConfigBinDirectory()
    {
        var pgConfig = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "pg_config"))
            .FirstOrDefault(File.Exists);
        if (pgConfig is null)
        {
            return null;
        }

        try
        {
            using var process = Process.Start(new ProcessStartInfo(pgConfig, "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return null;
            }

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
