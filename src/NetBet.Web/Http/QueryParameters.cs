using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using NetBet.Data.Queries;

namespace NetBet.Web.Http;

/// <summary>
/// Parses query and route text and collects one message per bad parameter, keyed by the parameter's wire name, so
/// a handler answers every mistake at once with a 400 ValidationProblem instead of failing on the first (or with a
/// 500). Parameters are bound as strings on purpose: the framework's own binding failures do not name the parameter.
/// Every value is bounded here, before it reaches arithmetic or PostgreSQL: instants to a range whose window
/// arithmetic cannot overflow, text to a length and to characters PostgreSQL can store (never NUL).
/// </summary>
internal sealed class QueryParameters
{
    public const int MaxLimit = 500;
    public const int MaxIntervalMinutes = 1440;

    /// <summary>The most points one timeseries request may return; the UI asks for at most a few thousand.</summary>
    public const int MaxTimeseriesPoints = 50_000;

    /// <summary>The longest text value (search text, league key, market id) accepted.</summary>
    public const int MaxTextLength = 200;

    /// <summary>
    /// Instants accepted in <c>from</c>/<c>to</c>: [1900-01-01, 3000-01-01) UTC. Far wider than any Betfair data, and
    /// far enough from <see cref="DateTimeOffset"/>'s own limits that a default window (eight days) or an upper
    /// bound's extra day never overflows.
    /// </summary>
    public static readonly DateTimeOffset EarliestInstant = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc cref="EarliestInstant"/>
    public static readonly DateTimeOffset EndOfInstants = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mmK",
    ];

    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public int Int(string name, string? text, int defaultValue, int min, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Add(name, max == int.MaxValue
                ? $"'{Shown(text)}' is not a whole number of at least {min}."
                : $"'{Shown(text)}' is not a whole number from {min} to {max}.");
            return defaultValue;
        }

        return value;
    }

    public long Id(string name, string? text)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            Add(name, $"'{Shown(text)}' is not a positive whole number.");
            return 0;
        }

        return value;
    }

    public bool Bool(string name, string? text, bool defaultValue)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return defaultValue;
        }

        switch (text.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES" or "ON": return true;
            case "FALSE" or "0" or "NO" or "OFF": return false;
            default:
                Add(name, $"'{Shown(text)}' is not a boolean; use true or false.");
                return defaultValue;
        }
    }

    /// <summary>
    /// A date (<c>2026-02-14</c>, a whole UTC day) or a date and time (<c>2026-02-14T18:00:00Z</c>; no offset means
    /// UTC). Returns the instant the bound starts at: a date's midnight, or for an upper bound
    /// (<paramref name="upperBound"/>) the first instant after it, so <c>to=2026-02-14</c> covers that whole day and
    /// a time is inclusive.
    /// </summary>
    public DateTimeOffset? Instant(string name, string? text, bool upperBound)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.Trim();
        DateTimeOffset start;
        TimeSpan width;
        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            width = TimeSpan.FromDays(1);
        }
        else if (DateTimeOffset.TryParseExact(
                     trimmed,
                     DateTimeFormats,
                     CultureInfo.InvariantCulture,
                     DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                     out start))
        {
            // PostgreSQL keeps microseconds: one microsecond past an inclusive upper bound is the exclusive bound.
            width = TimeSpan.FromTicks(TimeSpan.TicksPerMicrosecond);
        }
        else
        {
            Add(name, $"'{Shown(text)}' is not a date (yyyy-MM-dd) or an ISO 8601 date and time.");
            return null;
        }

        // Checked before any arithmetic: 9999-12-31 plus a day is past DateTimeOffset.MaxValue.
        if (start < EarliestInstant || start >= EndOfInstants)
        {
            Add(name, string.Create(
                CultureInfo.InvariantCulture,
                $"'{Shown(text)}' is outside the supported range {EarliestInstant:yyyy-MM-dd} to {EndOfInstants.AddDays(-1):yyyy-MM-dd} (UTC)."));
            return null;
        }

        return upperBound ? start + width : start;
    }

    /// <summary>Why <paramref name="text"/> is not acceptable as a parameter value, or null when it is.</summary>
    public static string? TextProblem(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxTextLength)
        {
            return $"is {text.Length} characters long; at most {MaxTextLength} are accepted.";
        }

        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return $"holds an unpaired UTF-16 surrogate at position {i}.";
            }

            if (Rune.IsControl(rune))
            {
                return $"holds the control character U+{rune.Value:X4} at position {i}; it cannot be searched for.";
            }

            i += consumed;
        }

        return null;
    }

    /// <summary>Records a problem with a value checked elsewhere (<see cref="TextProblem"/>).</summary>
    public void Reject(string name, string message) => Add(name, message);

    /// <summary>
    /// The <c>from</c>/<c>to</c> window of a market list: default yesterday through seven days ahead (UTC days);
    /// one bound given alone keeps the default eight-day width.
    /// </summary>
    public TimeWindow MarketStartWindow(string? fromText, string? toText, TimeProvider clock)
    {
        const int DefaultDays = 8;
        var from = Instant("from", fromText, upperBound: false);
        var to = Instant("to", toText, upperBound: true);
        if (from is null && to is null)
        {
            var today = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
            from = today.AddDays(-1);
            to = from.Value.AddDays(DefaultDays);
        }
        else
        {
            from ??= to!.Value.AddDays(-DefaultDays);
            to ??= from.Value.AddDays(DefaultDays);
        }

        return Ordered(new TimeWindow(from, to));
    }

    /// <summary>A snapshot-time window whose open ends mean "from the first snapshot" and "to the last".</summary>
    public TimeWindow SnapshotWindow(string? fromText, string? toText) =>
        Ordered(new TimeWindow(Instant("from", fromText, upperBound: false), Instant("to", toText, upperBound: true)));

    /// <summary>The 400 for a timeseries whose answer would exceed <see cref="MaxTimeseriesPoints"/>.</summary>
    public ValidationProblem TooManyPoints()
    {
        var message = string.Create(CultureInfo.InvariantCulture, $"The request would return more than {MaxTimeseriesPoints:N0} points, the limit: narrow from/to or raise interval_minutes.");
        Add("interval_minutes", message);
        return TypedResults.ValidationProblem(_errors, detail: $"Too many points for interval_minutes and from/to: {message}", title: "The answer would be too large.");
    }

    public ValidationProblem Problem() =>
        TypedResults.ValidationProblem(
            _errors,
            detail: $"Invalid parameter{(_errors.Count == 1 ? string.Empty : "s")}: {string.Join(", ", _errors.Keys)}.",
            title: "One or more parameters are invalid.");

    private TimeWindow Ordered(TimeWindow window)
    {
        if (window is { From: { } from, To: { } to } && from >= to && !_errors.ContainsKey("from") && !_errors.ContainsKey("to"))
        {
            Add("from", "from must be before to.");
        }

        return window;
    }

    private void Add(string name, string message) => _errors[name] = [message];

    // The value as echoed in a message: bounded, and with control characters made visible.
    private static string Shown(string? text)
    {
        var shown = text is null ? "" : text.Length > 40 ? string.Concat(text.AsSpan(0, 40), "...") : text;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = char.IsControl(source[i]) || char.IsSurrogate(source[i]) ? '\uFFFD' : source[i];
            }
        });
    }
}
