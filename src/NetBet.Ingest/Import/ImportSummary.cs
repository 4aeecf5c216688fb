using System.Globalization;
using System.Text;

namespace NetBet.Ingest.Import;

/// <summary>What one <c>netbet ingest import</c> run did.</summary>
public sealed record ImportSummary
{
    public int Files { get; init; }

    public long Lines { get; init; }

    public long Messages { get; init; }

    public long Updates { get; init; }

    public int MarketsImported { get; init; }

    /// <summary>Markets seen but not imported, by reason (<see cref="MarketFilter"/> constants).</summary>
    public IReadOnlyDictionary<string, int> MarketsSkipped { get; init; } = new Dictionary<string, int>();

    public long SnapshotsInserted { get; init; }

    public long Duplicates { get; init; }

    public long DerivedRows { get; init; }

    /// <summary>Snapshots stored without a derived row, by engine skip reason.</summary>
    public IReadOnlyDictionary<string, int> NoDerivedRow { get; init; } = new Dictionary<string, int>();

    /// <summary>Malformed lines plus files that could not be read.</summary>
    public long Errors { get; init; }

    /// <summary>Stopped by Ctrl-C: the batches written before it are kept, the rest was not imported.</summary>
    public bool Interrupted { get; init; }

    /// <summary>The one summary line printed on stdout.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"import: {Files} files, {Lines} lines, {Messages} messages, {MarketsImported} markets imported, ");
        text.Append(c, $"{MarketsSkipped.Values.Sum()} markets skipped");
        if (MarketsSkipped.Count > 0)
        {
            text.Append(" (").AppendJoin(", ", MarketsSkipped.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => string.Create(c, $"{p.Key}: {p.Value}"))).Append(')');
        }

        text.Append(c, $", {SnapshotsInserted} snapshots inserted, {Duplicates} duplicates, {DerivedRows} derived rows");
        if (NoDerivedRow.Count > 0)
        {
            text.Append(" (no derived row: ").AppendJoin(", ", NoDerivedRow.Select(p => string.Create(c, $"{p.Key}: {p.Value}"))).Append(')');
        }

        text.Append(c, $", {Errors} errors");
        if (Interrupted)
        {
            text.Append(" (interrupted)");
        }

        return text.ToString();
    }
}
