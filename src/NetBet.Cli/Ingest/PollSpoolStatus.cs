using System.Globalization;
using NetBet.Ingest.Spool;

namespace NetBet.Cli.Ingest;

/// <summary>The <c>netbet status</c> lines of the poller's and the stream recorder's spools: what waits to reach the database.</summary>
internal static class PollSpoolStatus
{
    public static string Describe(string? directory) => Describe(directory ?? SnapshotSpool.DefaultDirectory(), "ticks");

    public static string DescribeStream(string? directory) => Describe(directory ?? StreamCommand.DefaultSpoolDirectory(), "batches");

    private static string Describe(string directory, string batches)
    {
        var backlog = SnapshotSpool.ReadBacklog(directory);
        var torn = backlog.Torn > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {backlog.Torn} torn files set aside") : "";
        return backlog.Batches == 0
            ? $"empty ({directory}){torn}"
            : string.Create(CultureInfo.InvariantCulture,
                $"{backlog.Batches} {batches}, {backlog.Snapshots:N0} snapshots waiting for the database, oldest {backlog.Oldest!.Value.UtcDateTime:yyyy-MM-dd HH:mm:ss'Z'}, {backlog.Bytes:N0} bytes ({directory}){torn}");
    }
}
