using NetBet.Core.Stream;

namespace NetBet.Ingest.Import;

// --carry-forward: the live stream recorder's grid (GridSampler), so a raw recording replays into the snapshots the
// live run stored: same market, same snapshot time, same rendered book.
internal sealed partial class ImportLane
{
    private readonly List<DueSnapshot> _due = [];
    private readonly List<MarketState> _removed = [];

    private void ProcessLineOnGrid(string name, long lineNumber, ReadOnlySpan<byte> line, FileState file)
    {
        var grid = file.Grid!;
        StreamApplyResult result;
        try
        {
            // Grid points are rendered before the message changes the book: they show it as it was before.
            result = file.Cache.Apply(line, message =>
            {
                grid.BeforeApply(message.PublishTime!.Value, message.ChangeType, _due);
                AddDue(file);
            });
        }
        catch (StreamFormatException e)
        {
            _due.Clear();
            _reportError(name, lineNumber, e.Message);
            return;
        }

        Messages++;
        Updates += result.Updates;
        if (result.Kind != StreamMessageKind.SegmentPending)
        {
            grid.AfterApply(file.Cache, result, _due);
            AddDue(file);
            EvictClosedOnGrid(file, grid);
        }
    }

    // A market leaves memory once the grid no longer tracks it and it is CLOSED: its status-change snapshot at the
    // close was rendered just above, so the grid up to the close is complete. Evicting earlier would cut it short.
    private void EvictClosedOnGrid(FileState file, GridSampler grid)
    {
        grid.RemoveClosed(file.Cache, _removed);
        foreach (var market in _removed)
        {
            Evict(file, market);
        }

        _removed.Clear();
    }

    private void AddDue(FileState file)
    {
        foreach (var due in _due)
        {
            if (file.Cache.Find(due.MarketId) is { HasBook: true } market && Decide(file, market).Roles is { } roles)
            {
                AddSnapshot(market, roles, due.At);
            }
        }

        _due.Clear();
    }
}
