using System.Globalization;

namespace NetBet.Cli.Audit;

/// <summary>Aligned plain-text tables for audit, backfill and spot-check output.</summary>
internal static class TextTable
{
    /// <summary>How a NULL value is shown.</summary>
    public const string Missing = "—";

    public static string Number(double value) => value.ToString("0.########", CultureInfo.InvariantCulture);

    public static void Write(TextWriter writer, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, IReadOnlyCollection<int>? rightAligned = null)
    {
        var widths = header.Select(h => h.Length).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Count && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        WriteRow(writer, header, widths, rightAligned);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths, rightAligned);
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, int[] widths, IReadOnlyCollection<int>? rightAligned)
    {
        var parts = new string[widths.Length];
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            parts[i] = rightAligned?.Contains(i) == true ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]);
        }

        writer.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
