namespace NetBet.Cli.Demo;

/// <summary>Serves the UI over the demo database until Ctrl-C.</summary>
internal static class DemoServer
{
    public static Task<int> ServeAsync(string connectionString, string urls, TextWriter output, CancellationToken cancellationToken) =>
        throw new NotImplementedException("pending netbet serve");
}
