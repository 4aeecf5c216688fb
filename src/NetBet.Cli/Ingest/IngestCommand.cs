using System.CommandLine;

namespace NetBet.Cli.Ingest;

/// <summary><c>netbet ingest</c>: groups the ways snapshots get into the database.</summary>
internal sealed class IngestCommand : Command
{
    public IngestCommand()
        : base("ingest", """
            Record order-book snapshots: poll the Betfair API-NG live, record the Exchange Stream API live, or import
            historical stream files.

            Examples:
              ./netbet ingest poll --interval 60s --window-hours 24
              ./netbet ingest stream --every 60s
              ./netbet ingest import ~/betfair/2026/Nov/ --every 60s
            """)
    {
        // Subcommands: one line each.
        Subcommands.Add(new ImportCommand());
        Subcommands.Add(new PollCommand());
        Subcommands.Add(new StreamCommand());
    }
}
