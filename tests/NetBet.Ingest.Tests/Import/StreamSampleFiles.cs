namespace NetBet.Ingest.Tests.Import;

/// <summary>Locates the stream samples in ../shared/data/betfair/stream (NETBET_SHARED overrides ../shared).</summary>
internal static class StreamSampleFiles
{
    public const string MissingReason = "../shared is absent: stream sample import tests skipped (set NETBET_SHARED to its path to run them)";

    public const string Limx0 = "limx0_betfair_parser__1.242971311.bz2";
    public const string Basic = "petermclagan_betfair-historical__football-basic-sample.bz2";
    public const string Kelvin = "KelvinVail_Betfair__MarketStream.txt";

    public static string? Root { get; } = Find();

    public static string Historical(string name) =>
        Path.Combine(Root ?? throw new InvalidOperationException(MissingReason), "data", "betfair", "stream", "historical", name);

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("NETBET_SHARED") is { Length: > 0 } fromEnv && Directory.Exists(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NetBet.slnx")))
            {
                var shared = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                return Directory.Exists(Path.Combine(shared, "data")) ? shared : null;
            }
        }

        return null;
    }
}
