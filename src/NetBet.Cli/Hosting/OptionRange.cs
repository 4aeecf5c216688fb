using System.CommandLine;
using System.Globalization;

namespace NetBet.Cli.Hosting;

/// <summary>Bounds for numeric options, checked at parse time so a bad value exits 2 with a message naming the option.</summary>
internal static class OptionRange
{
    /// <summary>The largest <c>--batch-size</c> any command accepts: bigger batches only hold locks and memory longer.</summary>
    public const int MaxBatchSize = 100_000;

    /// <summary>Adds a validator requiring <paramref name="min"/>..<paramref name="max"/> (inclusive).</summary>
    public static Option<int> Between(this Option<int> option, int min, int max)
    {
        ArgumentNullException.ThrowIfNull(option);
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"{option.Name}: {value} is outside {min:N0}..{max:N0}"));
            }
        });
        return option;
    }
}
