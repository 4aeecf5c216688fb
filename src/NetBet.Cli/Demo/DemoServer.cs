using NetBet.Cli.Serve;

namespace NetBet.Cli.Demo;

/// <summary>Serves the UI over the demo database until Ctrl-C, through the same child process as <c>netbet serve</c>.</summary>
internal static class DemoServer
{
    public static async Task<int> ServeAsync(string connectionString, string urls, TextWriter output, CancellationToken cancellationToken)
    {
        var dll = WebHostProcess.LocateDll();
        if (!File.Exists(dll))
        {
            await Console.Error.WriteLineAsync($"netbet demo: the web app is not built: {dll} is missing (run ./netbet, which builds it, or set {WebHostProcess.DllVariable})");
            return ExitCodes.Unavailable;
        }

        await output.WriteLineAsync("[demo] serve      starting the UI over the demo database; Ctrl-C stops it");
        return await ServeCommand.RunAsync(dll, connectionString, urls, output, cancellationToken);
    }
}
