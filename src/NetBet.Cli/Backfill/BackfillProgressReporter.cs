using System.Diagnostics;
using System.Globalization;
using NetBet.Data.Backfill;

namespace NetBet.Cli.Backfill;

/// <summary>
/// Backfill progress on stderr: a single redrawn bar with rows/s and ETA on a terminal, otherwise one plain line
/// per batch (logs and CI keep every line).
/// </summary>
internal sealed class BackfillProgressReporter(TextWriter stderr, bool interactive)
{
    private const int BarWidth = 30;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();
    private bool _drawn;

    public void Report(BackfillProgress progress)
    {
        if (!interactive)
        {
            stderr.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"batch {progress.Batch}: {progress.Processed}/{progress.Total}, {progress.RowsPerSecond:F0} rows/s, last snapshot_id {progress.LastSnapshotId}"));
            return;
        }

        if (_drawn && _sinceRedraw.Elapsed < RedrawInterval && progress.Processed < progress.Total)
        {
            return;
        }

        _sinceRedraw.Restart();
        var fraction = progress.Total > 0 ? Math.Min(1.0, (double)progress.Processed / progress.Total) : 1.0;
        var filled = (int)Math.Round(fraction * BarWidth);
        var rate = progress.RowsPerSecond;
        var eta = rate > 0 && progress.Total > progress.Processed
            ? TimeSpan.FromSeconds((progress.Total - progress.Processed) / rate)
            : TimeSpan.Zero;
        stderr.Write(string.Create(
            CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {fraction * 100,5:F1}% {progress.Processed:N0}/{progress.Total:N0} rows  {rate,8:N0} rows/s  ETA {eta:h\\:mm\\:ss} "));
        _drawn = true;
    }

    /// <summary>Ends the bar's line so the summary starts on a fresh one.</summary>
    public void Complete()
    {
        if (interactive && _drawn)
        {
            stderr.WriteLine();
        }
    }
}
