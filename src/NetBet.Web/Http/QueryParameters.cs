using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using NetBet.Data.Queries;

namespace NetBet.Web.Http;

/// <summary>
/// Parses query and route text and collects one message per bad parameter, keyed by the parameter's wire name, so
/// a handler answers every mistake at once with a 400 ValidationProblem instead of failing on the first (or with a
/// 500). Parameters are bound as strings on purpose: the framework's own binding failures do not name the parameter.
/// </summary>
internal sealed class QueryParameters
{
    public const int MaxLimit = 500;
    public const int MaxIntervalMinutes = 1440;

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
                ? $"'{text}' is not a whole number of at least {min}."
                : $"'{text}' is not a whole number from {min} to {max}.");
            return defaultValue;
        }

        return value;
    }

    public long Id(string name, string? text)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            Add(name, $"'{text}' is not a positive whole number.");
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
                Add(name, $"'{text}' is not a boolean; use true or false.");
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
        if (DateOnly.TryParseExact(trimmed, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return upperBound ? midnight.AddDays(1) : midnight;
        }

        if (DateTimeOffset.TryParseExact(
                trimmed,
                DateTimeFormats,
                CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
                out var instant))
        {
            // PostgreSQL keeps microseconds: one microsecond past an inclusive upper bound is the exclusive bound.
            return upperBound ? instant.AddTicks(TimeSpan.TicksPerMicrosecond) : instant;
        }

        Add(name, $"'{text}' is not a date (yyyy-MM-dd) or an ISO 8601 date and time.");
        return null;
    }

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
}
