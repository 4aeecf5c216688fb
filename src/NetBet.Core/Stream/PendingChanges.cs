namespace NetBet.Core.Stream;

/// <summary>The ladders a runner change can carry.</summary>
internal enum LadderField : byte
{
    Atb,
    Atl,
    Trd,
    Batb,
    Batl,
    Bdatb,
    Bdatl,
}

/// <summary>One <c>[price,size]</c> or <c>[level,price,size]</c> element of a runner change.</summary>
internal struct LadderOp
{
    public LadderField Field;
    public int Level;
    public long Price;
    public double Size;
}

/// <summary>One parsed runner change (<c>rc[]</c>), its ladder elements in <see cref="PendingChanges.Ops"/>.</summary>
internal struct PendingRunner
{
    public long Id;
    public bool HasId;
    public long Handicap;
    public double? Ltp;
    public double? Tv;
    public int OpStart;
    public int OpCount;
}

/// <summary>One parsed market change (<c>mc[]</c>), its id in <see cref="PendingChanges.IdChars"/>.</summary>
internal struct PendingMarket
{
    public int IdStart;
    public int IdLength;
    public bool Image;
    public double? Tv;
    public MarketDefinition? Definition;
    public int RunnerStart;
    public int RunnerCount;
}

/// <summary>
/// A message (or a segmented change) parsed but not yet applied. Parsing the whole message first means a
/// malformed line changes nothing, and fields may come in any order (<c>id</c> after <c>atb</c>, <c>img</c> last).
/// The buffers are reused from message to message, so the hot path does not allocate.
/// </summary>
internal sealed class PendingChanges
{
    public ValueBuffer<PendingMarket> Markets { get; } = new(8);

    public ValueBuffer<PendingRunner> Runners { get; } = new(32);

    public ValueBuffer<LadderOp> Ops { get; } = new(256);

    public ValueBuffer<char> IdChars { get; } = new(64);

    /// <summary>Definition strings (statuses, types, runner names) repeat message after message: one copy each.</summary>
    public StringPool Strings { get; } = new();

    public (int Markets, int Runners, int Ops, int IdChars) Mark() => (Markets.Count, Runners.Count, Ops.Count, IdChars.Count);

    public void Rollback((int Markets, int Runners, int Ops, int IdChars) mark)
    {
        Markets.Truncate(mark.Markets);
        Runners.Truncate(mark.Runners);
        Ops.Truncate(mark.Ops);
        IdChars.Truncate(mark.IdChars);
    }

    public void Clear() => Rollback(default);

    public ReadOnlySpan<char> MarketId(in PendingMarket market) => IdChars.Items.AsSpan(market.IdStart, market.IdLength);
}

/// <summary>A growable array handing out refs, so structs are filled in place.</summary>
internal sealed class ValueBuffer<T>(int capacity)
{
    public T[] Items { get; private set; } = new T[capacity];

    public int Count { get; private set; }

    public ref T Add()
    {
        if (Count == Items.Length)
        {
            var grown = Items;
            Array.Resize(ref grown, Items.Length * 2);
            Items = grown;
        }

        Items[Count] = default!;
        return ref Items[Count++];
    }

    public Span<T> Reserve(int length)
    {
        while (Count + length > Items.Length)
        {
            var grown = Items;
            Array.Resize(ref grown, Items.Length * 2);
            Items = grown;
        }

        var span = Items.AsSpan(Count, length);
        Count += length;
        return span;
    }

    public void Truncate(int count) => Count = count;

    public ref T this[int index] => ref Items[index];
}
