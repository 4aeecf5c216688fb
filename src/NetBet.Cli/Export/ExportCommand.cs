using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using NetBet.Cli.Hosting;
using NetBet.Data.Export;
using NetBet.Data.Queries;

namespace NetBet.Cli.Export;

/// <summary><c>netbet export</c>: stored snapshots (or their full ladders) to CSV, Parquet or JSON Lines.</summary>
internal sealed class ExportCommand : Command
{
    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK",
    ];

    public ExportCommand()
        : base("export", """
            Write stored snapshots to a file: one row per snapshot with the market's names and start time, every
            metric column and each outcome's size impedance L1 (NULL stays empty in CSV, null in Parquet and JSON
            Lines); or with --ladders one row per ladder level of each raw payload (back, lay and traded volume).
            Choose the snapshots with --market (repeatable), --league, or --from and --to; the window also narrows
            --market and --league. Rows come in market id, then snapshot time order, streamed in constant memory.
            Exit 0; 1 when a raw payload could not be read (--ladders; the others are written); 2 on bad options;
            3 when the database is unreachable; 130 on Ctrl-C (the partial file is removed).

            Examples:
              ./netbet export --market 1.216395251 --format csv --out match.csv
              ./netbet export --league 10932509 --interval 5m --format parquet --out epl.parquet
              ./netbet export --from 2026-02-14 --to 2026-02-15 --format jsonl --out - | head
              ./netbet export --market 1.216395251 --ladders --format parquet --out ladders.parquet
            """)
    {
        Options.Add(Market);
        Options.Add(League);
        Options.Add(From);
        Options.Add(To);
        Options.Add(Format);
        Options.Add(Out);
        Options.Add(Interval);
        Options.Add(Ladders);
        SetAction(async (parseResult, cancellationToken) =>
        {
            if (Validate(parseResult, Console.Error) is not { } request)
            {
                return ExitCodes.InvalidInput;
            }

            await using var services = await CliHost.BuildServicesAsync(
                parseResult, cancellationToken, s => s.AddSingleton<ExportQueries>());
            var progress = !CliHost.IsQuiet(parseResult) && !Console.IsErrorRedirected;
            return await ExecuteAsync(services.GetRequiredService<ExportQueries>(), request, Console.Error, progress, quiet: CliHost.IsQuiet(parseResult), cancellationToken);
        });
    }

    public Option<string[]> Market { get; } = new("--market")
    {
        Description = "Export this market id (repeat, or give several after one --market).",
        AllowMultipleArgumentsPerToken = true,
        HelpName = "id",
    };

    public Option<string?> League { get; } = new("--league") { Description = "Export every market of this league key (as /api/leagues lists it).", HelpName = "key" };

    public Option<string?> From { get; } = new("--from") { Description = "Only snapshots taken at or after this time (ISO 8601, UTC when no offset; a date is its midnight UTC).", HelpName = "time" };

    public Option<string?> To { get; } = new("--to") { Description = "Only snapshots taken before this time (same forms as --from).", HelpName = "time" };

    public Option<string?> Format { get; } = new("--format") { Description = "csv, parquet or jsonl (required).", HelpName = "format" };

    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Output file, or - for stdout (required).", HelpName = "file" };

    public Option<string?> Interval { get; } = new("--interval") { Description = "Keep the last snapshot of each UTC-aligned bucket per market, as the API does: 30s, 5m, 1h, 1d.", HelpName = "length" };

    public Option<bool> Ladders { get; } = new("--ladders") { Description = "One row per (snapshot, runner, side, level) of the raw payloads instead of one row per snapshot." };

    /// <summary>The validated arguments of one export.</summary>
    internal sealed record ExportRequest(ExportSelection Selection, ExportFormat Format, string Out, bool Ladders);

    /// <summary>Checks every option; writes one line naming each bad option to <paramref name="stderr"/> and returns null if any.</summary>
    internal ExportRequest? Validate(ParseResult parseResult, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var errors = new List<string>();
        var markets = parseResult.GetValue(Market) is { Length: > 0 } m ? m : null;
        var league = parseResult.GetValue(League);
        var from = ParseTime(parseResult.GetValue(From), "--from", errors);
        var to = ParseTime(parseResult.GetValue(To), "--to", errors);
        if (markets is not null && league is not null)
        {
            errors.Add("--market and --league cannot be combined");
        }
        else if (markets is null && league is null && (parseResult.GetResult(From) is null || parseResult.GetResult(To) is null))
        {
            errors.Add("--market, --league, or both --from and --to: say which snapshots to export");
        }

        if (markets?.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            errors.Add("--market: an empty market id");
        }

        if (from is { } f && to is { } t && f >= t)
        {
            errors.Add("--from must be before --to");
        }

        ExportFormat? format = parseResult.GetValue(Format)?.Trim().ToUpperInvariant() switch
        {
            "CSV" => ExportFormat.Csv,
            "PARQUET" => ExportFormat.Parquet,
            "JSONL" => ExportFormat.JsonLines,
            null => null,
            _ => null,
        };
        if (format is null)
        {
            errors.Add(parseResult.GetValue(Format) is { } text ? $"--format: '{text}' is not csv, parquet or jsonl" : "--format is required (csv, parquet or jsonl)");
        }

        var output = parseResult.GetValue(Out);
        if (string.IsNullOrWhiteSpace(output))
        {
            errors.Add("--out is required (a file, or - for stdout)");
        }
        else if (output != "-" && Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder && !Directory.Exists(folder))
        {
            errors.Add($"--out: folder '{folder}' does not exist");
        }

        var bucket = ParseInterval(parseResult.GetValue(Interval), errors);
        foreach (var error in errors)
        {
            stderr.WriteLine($"netbet export: {error}");
        }

        return errors.Count > 0
            ? null
            : new ExportRequest(new ExportSelection(markets, league, new TimeWindow(from, to), bucket), format!.Value, output!, parseResult.GetValue(Ladders));
    }

    /// <summary>Runs an export; returns the exit code. The summary (and progress, when asked for) go to <paramref name="stderr"/>.</summary>
    internal static async Task<int> ExecuteAsync(
        ExportQueries queries, ExportRequest request, TextWriter stderr, bool progress, bool quiet, CancellationToken cancellationToken)
    {
        if (await queries.FindUnknownAsync(request.Selection, cancellationToken) is { } unknown)
        {
            await stderr.WriteLineAsync($"netbet export: --{unknown.Split(' ')[0]}: no {unknown} in the database");
            return ExitCodes.InvalidInput;
        }

        var counters = new ExportCounters();
        var clock = Stopwatch.StartNew();
        var toStdout = request.Out == "-";
        // A file is written beside its final name and moved there once complete: an interrupted or failed export never
        // leaves a truncated file that looks finished.
        var partial = toStdout ? null : request.Out + ".partial";
        using var reporter = progress ? new Timer(_ => ReportProgress(stderr, counters, clock), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) : null;
        try
        {
            await using (var stream = toStdout ? Console.OpenStandardOutput() : new FileStream(partial!, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                if (request.Ladders)
                {
                    await WriteAsync(request.Format, stream, LadderExportRow.Columns, queries.ReadLaddersAsync(request.Selection, counters, cancellationToken), cancellationToken);
                }
                else
                {
                    await WriteAsync(request.Format, stream, SnapshotExportRow.Columns, queries.ReadSnapshotsAsync(request.Selection, counters, cancellationToken), cancellationToken);
                }
            }

            if (partial is not null)
            {
                File.Move(partial, request.Out, overwrite: true);
            }
        }
        catch when (partial is not null)
        {
            File.Delete(partial);
            throw;
        }
        finally
        {
            reporter?.Dispose();
            if (progress)
            {
                await stderr.WriteAsync("\r\e[K");
            }
        }

        var seconds = clock.Elapsed.TotalSeconds;
        if (!quiet)
        {
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture,
                $"netbet export: {counters.Rows:N0} rows from {counters.Snapshots:N0} snapshots to {(toStdout ? "stdout" : request.Out)} ({request.Format}) in {seconds:F1} s, {counters.Rows / Math.Max(seconds, 1e-3):N0} rows/s"));
        }

        if (counters.Unreadable > 0)
        {
            await stderr.WriteLineAsync(string.Create(
                CultureInfo.InvariantCulture, $"netbet export: {counters.Unreadable:N0} raw payloads could not be read and gave no rows; first: {counters.FirstError}"));
            return ExitCodes.Failed;
        }

        return ExitCodes.Success;
    }

    private static async Task WriteAsync<TRow>(
        ExportFormat format, Stream stream, IReadOnlyList<ExportColumn<TRow>> columns, IAsyncEnumerable<TRow> rows, CancellationToken cancellationToken)
    {
        await using var writer = await ExportWriter.CreateAsync(format, stream, columns, cancellationToken);
        await ExportWriter.WriteAllAsync(writer, rows, cancellationToken);
    }

    private static void ReportProgress(TextWriter stderr, ExportCounters counters, Stopwatch clock) =>
        stderr.Write(string.Create(
            CultureInfo.InvariantCulture,
            $"\r\e[Kexporting: {counters.Rows:N0} rows, {counters.Snapshots:N0} snapshots, {counters.Rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-3):N0} rows/s"));

    private static DateTimeOffset? ParseTime(string? text, string option, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text.Trim(), DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors.Add($"{option}: '{text}' is not a date (yyyy-MM-dd) or an ISO 8601 date and time");
        return null;
    }

    /// <summary>A bucket length such as <c>30s</c>, <c>5m</c>, <c>1h</c> or <c>1d</c>; null when not given.</summary>
    internal static TimeSpan? ParseInterval(string? text, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length >= 2
            && int.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count > 0)
        {
            TimeSpan? length = trimmed[^1] switch
            {
                's' => TimeSpan.FromSeconds(count),
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                _ => null,
            };
            if (length is { } l && l <= TimeSpan.FromDays(366))
            {
                return l;
            }
        }

        errors.Add($"--interval: '{text}' is not a length such as 30s, 5m, 1h or 1d (at most 366d)");
        return null;
    }
}
