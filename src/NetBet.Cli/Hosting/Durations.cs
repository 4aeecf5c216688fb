using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NetBet.Cli.Hosting;

/// <summary>
/// The one duration syntax of every <c>netbet</c> option that takes a time: <c>500ms</c>, <c>60s</c>, <c>5m</c>,
/// <c>1h</c>, <c>1d</c>, a bare number of seconds, or <c>hh:mm:ss</c>. Options made by <see cref="CreateOption"/> check
/// their range while parsing, so a bad value is a parse error (exit 2) naming the option.
/// </summary>
internal static class Durations
{
    private static readonly (string Suffix, double Seconds)[] Units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)];

    /// <summary>Parses a duration; false for anything else, NaN, infinities, negatives and values beyond <see cref="TimeSpan"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        foreach (var (suffix, seconds) in Units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                return TryFromSeconds(value * seconds, out duration);
            }
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
        {
            return TryFromSeconds(plain, out duration);
        }

        return text.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration)
            && duration >= TimeSpan.Zero;
    }

    /// <summary>How a duration reads in messages: <c>500 ms</c>, <c>5 s</c>, <c>1 h</c>, <c>1 d</c>.</summary>
    public static string Format(TimeSpan duration) => duration switch
    {
        { TotalMilliseconds: < 1000 } => Invariant($"{duration.TotalMilliseconds:0.###} ms"),
        { TotalSeconds: < 60 } or { Seconds: not 0 } => Invariant($"{duration.TotalSeconds:0.###} s"),
        { TotalMinutes: < 60 } or { Minutes: not 0 } => Invariant($"{duration.TotalMinutes:0.###} min"),
        { TotalHours: < 24 } or { Hours: not 0 } => Invariant($"{duration.TotalHours:0.###} h"),
        _ => Invariant($"{duration.TotalDays:0.###} d"),
    };

    /// <summary>
    /// A duration option accepting <paramref name="min"/>..<paramref name="max"/> (inclusive); anything else, or text
    /// that is no duration, is a parse error such as <c>--interval: '0s' is outside 1 s..1 h</c>.
    /// </summary>
    public static Option<TimeSpan> CreateOption(string name, string description, TimeSpan defaultValue, TimeSpan min, TimeSpan max) => new(name)
    {
        Description = $"{description} ({Format(min)} to {Format(max)}; 500ms, 60s, 5m, 1h, 1d or hh:mm:ss).",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, min, max),
        HelpName = "duration",
    };

    /// <summary>Like <see cref="CreateOption"/> for an option without a default: null when it is not given.</summary>
    public static Option<TimeSpan?> CreateOptionalOption(string name, string description, TimeSpan min, TimeSpan max) => new(name)
    {
        Description = $"{description} ({Format(min)} to {Format(max)}; 500ms, 60s, 5m, 1h, 1d or hh:mm:ss).",
        CustomParser = result => Parse(result, name, min, max),
        HelpName = "duration",
    };

    private static TimeSpan Parse(ArgumentResult result, string name, TimeSpan min, TimeSpan max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!TryParse(text, out var duration))
        {
            result.AddError($"{name}: '{text}' is not a duration such as 500ms, 60s, 5m, 1h or hh:mm:ss");
            return default;
        }

        if (duration < min || duration > max)
        {
            result.AddError($"{name}: '{text}' is outside {Format(min)}..{Format(max)}");
            return default;
        }

        return duration;
    }

    private static bool TryFromSeconds(double seconds, out TimeSpan duration)
    {
        // NaN and infinities fail both comparisons; TimeSpan.FromSeconds would throw beyond its range.
        var fits = seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds;
        duration = fits ? TimeSpan.FromSeconds(seconds) : default;
        return fits;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
