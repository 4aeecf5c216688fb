namespace NetBet.Core.Tests;

/// <summary>Locates ../shared (the read-only reference material next to the repository), if present.</summary>
internal static class SharedData
{
    public static string? Root { get; } = Find();

    public const string MissingReason = "../shared is absent: reference cases skipped (set NETBET_SHARED to its path to run them)";

    public static string Path(params string[] parts) =>
        System.IO.Path.Combine([Root ?? throw new InvalidOperationException(MissingReason), .. parts]);

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("NETBET_SHARED") is { Length: > 0 } fromEnv && Directory.Exists(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                var shared = System.IO.Path.GetFullPath(System.IO.Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(System.IO.Path.Combine(shared, "data")) ? shared : null;
            }
        }

        return null;
    }
}
