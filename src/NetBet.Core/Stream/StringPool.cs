using System.Text.Json;

namespace NetBet.Core.Stream;

/// <summary>
/// Hands out one string instance per distinct short JSON string value, so re-sent market definitions do not
/// allocate their statuses, types and runner names again. Bounded: past <see cref="MaxEntries"/> it stops adding.
/// </summary>
internal sealed class StringPool
{
    private const int MaxEntries = 10_000;
    private const int MaxPooledLength = 128;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public StringPool() => _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The current string token's value.</summary>
    public string Get(ref Utf8JsonReader reader)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > MaxPooledLength)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxPooledLength];
        var written = reader.CopyString(chars);
        var value = chars[..written];
        if (_bySpan.TryGetValue(value, out var pooled))
        {
            return pooled;
        }

        var text = value.ToString();
        if (_strings.Count < MaxEntries)
        {
            _strings.Add(text, text);
        }

        return text;
    }
}
