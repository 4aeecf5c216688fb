using System.Globalization;
using System.Text.Json;
using NetBet.Data.Audit;

namespace NetBet.Cli.Audit;

/// <summary>The audit report as a readable table, as JSON for scripts, and as markdown.</summary>
internal static class AuditReportFormat
{
    /// <summary>
    /// One JSON object. Contract keys: total_snapshots, oldest, newest, raw_payload_rows, columns[] (name,
    /// null_count, null_pct, tier), backfill (would_update, would_skip, skip_reasons). Added keys: markets, sources,
    /// ladder_rows, rows_without_roles, derived_rows, columns[].recomputable, missing_columns (metric columns not
    /// migrated yet, left out of columns), backfill.would_error (unreadable payloads, counted as errors).
    /// </summary>
    public static void WriteJson(Stream stream, AuditReport report)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        if (report.From is not null || report.To is not null)
        {
            // Only with --from/--to: the snapshot_at range the audit covered (null for an open end).
            WriteTime(json, "from", report.From);
            WriteTime(json, "to", report.To);
        }

        json.WriteNumber("total_snapshots", report.TotalSnapshots);
        WriteTime(json, "oldest", report.Oldest);
        WriteTime(json, "newest", report.Newest);
        json.WriteNumber("raw_payload_rows", report.RawPayloadRows);
        json.WriteStartArray("archived_months");
        foreach (var archived in report.ArchivedMonths)
        {
            json.WriteStartObject();
            json.WriteString("month", archived.Month.ToString());
            json.WriteString("location", archived.Location);
            json.WriteNumber("snapshot_rows", archived.SnapshotRows);
            json.WriteNumber("derived_rows", archived.DerivedRows);
            WriteTime(json, "archived_at", archived.ArchivedAt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("columns");
        foreach (var column in report.Columns)
        {
            json.WriteStartObject();
            json.WriteString("name", column.Name);
            json.WriteNumber("null_count", column.NullCount);
            json.WriteNumber("null_pct", column.NullPct);
            json.WriteString("tier", column.Tier);
            json.WriteNumber("recomputable", column.Recomputable);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartObject("backfill");
        json.WriteNumber("would_update", report.WouldUpdate);
        json.WriteNumber("would_skip", report.WouldSkip);
        json.WriteStartObject("skip_reasons");
        foreach (var (reason, count) in report.SkipReasons)
        {
            json.WriteNumber(reason, count);
        }

        json.WriteEndObject();
        json.WriteNumber("would_error", report.WouldError);
        json.WriteEndObject();
        json.WriteNumber("markets", report.Markets);
        json.WriteStartObject("sources");
        foreach (var (source, count) in report.Sources)
        {
            json.WriteNumber(source, count);
        }

        json.WriteEndObject();
        json.WriteNumber("ladder_rows", report.LadderRows);
        json.WriteNumber("rows_without_roles", report.RowsWithoutRoles);
        json.WriteNumber("derived_rows", report.DerivedRows);
        json.WriteStartArray("missing_columns");
        foreach (var name in report.MissingColumns)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    public static void WriteTable(TextWriter writer, AuditReport report) => Write(writer, report, markdown: false);

    public static void WriteMarkdown(TextWriter writer, AuditReport report) => Write(writer, report, markdown: true);

    private static void Write(TextWriter w, AuditReport report, bool markdown)
    {
        Heading(w, markdown, "NetBet audit", top: true);
        Heading(w, markdown, "A) Inventory");
        KeyValues(w, markdown, [
            .. report.From is null && report.To is null
                ? Array.Empty<(string, string)>()
                : [("snapshots taken", $"{(report.From is null ? "(any time)" : Time(report.From))} .. {(report.To is null ? "(any time)" : Time(report.To))}")],
            ("snapshots", Count(report.TotalSnapshots)),
            ("oldest", Time(report.Oldest)),
            ("newest", Time(report.Newest)),
            ("markets", Count(report.Markets)),
            ("derived rows", Count(report.DerivedRows)),
            .. report.Sources.Select(s => ($"source {s.Key}", Count(s.Value))),
            .. report.ArchivedMonths.Select(a => ($"archived {a.Month}", $"{Count(a.SnapshotRows)} snapshots in {a.Location} (not counted above; netbet restore loads them back)")),
        ]);

        Heading(w, markdown, "B) Raw payload availability");
        KeyValues(w, markdown, [
            ("rows with raw payload", Share(report.RawPayloadRows, report.TotalSnapshots)),
            ("rows whose payload has runners with ladders", Share(report.LadderRows, report.TotalSnapshots)),
            ("rows whose market lacks the three roles", Share(report.RowsWithoutRoles, report.TotalSnapshots)),
        ]);

        Heading(w, markdown, "C, D) NULLs and eligibility per metric column");
        var rows = report.Columns
            .Select(c => (IReadOnlyList<string>)[c.Name, Count(c.NullCount), c.NullPct.ToString("0.00", CultureInfo.InvariantCulture), Count(c.Recomputable), c.Tier])
            .Concat(report.MissingColumns.Select(name => (IReadOnlyList<string>)[name, "missing", "", "", "(not migrated)"]))
            .ToList();
        Table(w, markdown, ["column", "null", "null %", "recomputable", "tier"], rows, [1, 2, 3]);
        w.WriteLine();
        w.WriteLine("Tier A: every NULL value can be recomputed from raw payload + roles; B: some can; C: none can; -: nothing NULL.");

        Heading(w, markdown, "E) What a backfill of every metric column would do now");
        KeyValues(w, markdown, [
            ("rows it would update", Count(report.WouldUpdate)),
            ("rows it would skip", Count(report.WouldSkip)),
            .. report.SkipReasons.Select(r => ($"  skipped: {r.Key}", Count(r.Value))),
            ("rows with an unreadable payload (errors)", Count(report.WouldError)),
        ]);
    }

    private static void Heading(TextWriter w, bool markdown, string title, bool top = false)
    {
        if (!top)
        {
            w.WriteLine();
        }

        w.WriteLine(markdown ? (top ? "# " : "## ") + title : title);
        if (markdown)
        {
            w.WriteLine();
        }
        else if (top)
        {
            w.WriteLine(new string('=', title.Length));
        }
    }

    private static void KeyValues(TextWriter w, bool markdown, IReadOnlyList<(string Key, string Value)> pairs)
    {
        if (markdown)
        {
            Table(w, markdown, ["", "value"], [.. pairs.Select(p => (IReadOnlyList<string>)[p.Key, p.Value])], [1]);
            return;
        }

        var width = pairs.Max(p => p.Key.Length);
        foreach (var (key, value) in pairs)
        {
            w.WriteLine($"  {key.PadRight(width)}  {value}");
        }
    }

    private static void Table(TextWriter w, bool markdown, IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows, int[] rightAligned)
    {
        if (!markdown)
        {
            TextTable.Write(w, header, rows, rightAligned);
            return;
        }

        w.WriteLine("| " + string.Join(" | ", header) + " |");
        w.WriteLine("|" + string.Concat(header.Select((_, i) => rightAligned.Contains(i) ? " ---: |" : " --- |")));
        foreach (var row in rows)
        {
            w.WriteLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Share(long part, long whole) =>
        whole == 0 ? Count(part) : string.Create(CultureInfo.InvariantCulture, $"{part:N0} ({100.0 * part / whole:0.00}%)");

    private static string Time(DateTimeOffset? value) =>
        value?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? TextTable.Missing;
}
