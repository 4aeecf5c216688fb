using System.Runtime.InteropServices;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>A price-keyed ladder (<c>atb</c>, <c>atl</c>, <c>trd</c>): price ticks to size; size 0 removes.</summary>
internal sealed class PriceKeyedLadder
{
    private readonly Dictionary<long, double> _sizes = [];

    public int Count => _sizes.Count;

    /// <summary>Sets the size at a price (0 removes it); true when the size went up.</summary>
    public bool Set(long priceTicks, double size)
    {
        if (size == 0)
        {
            _sizes.Remove(priceTicks);
            return false;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_sizes, priceTicks, out _);
        var increased = size > slot;
        slot = size;
        return increased;
    }

    public void Clear() => _sizes.Clear();

    public PriceKeyedLadder Copy()
    {
        var copy = new PriceKeyedLadder();
        foreach (var (price, size) in _sizes)
        {
            copy._sizes[price] = size;
        }

        return copy;
    }

    /// <summary>Levels sorted by price; ascending, or descending for the back side.</summary>
    public PriceSize[] Sorted(bool descending)
    {
        var prices = new long[_sizes.Count];
        _sizes.Keys.CopyTo(prices, 0);
        Array.Sort(prices);
        if (descending)
        {
            Array.Reverse(prices);
        }

        var levels = new PriceSize[prices.Length];
        for (var i = 0; i < prices.Length; i++)
        {
            levels[i] = new PriceSize(PriceTicks.ToDouble(prices[i]), _sizes[prices[i]]);
        }

        return levels;
    }

    /// <summary>Sum of the sizes in ascending price order, so the same ladder always gives the same double.</summary>
    public double Total()
    {
        var total = 0.0;
        foreach (var level in Sorted(descending: false))
        {
            total += level.Size;
        }

        return total;
    }

    public long? BestPriceTicks(bool highest)
    {
        long? best = null;
        foreach (var price in _sizes.Keys)
        {
            if (best is null || (highest ? price > best : price < best))
            {
                best = price;
            }
        }

        return best;
    }
}

/// <summary>A level-keyed ladder (<c>batb</c>, <c>batl</c>, <c>bdatb</c>, <c>bdatl</c>): level 0 = best.</summary>
internal sealed class LevelLadder
{
    /// <summary>Betfair allows at most 10 ladder levels; a little slack costs nothing.</summary>
    public const int MaxLevels = 100;

    private long[] _prices = new long[10];
    private double[] _sizes = new double[10];
    private int _length;

    public int Count { get; private set; }

    public void Set(int level, long priceTicks, double size)
    {
        if (level >= _prices.Length)
        {
            var capacity = Math.Max(level + 1, _prices.Length * 2);
            Array.Resize(ref _prices, capacity);
            Array.Resize(ref _sizes, capacity);
        }

        var wasPresent = level < _length && _sizes[level] != 0;
        _prices[level] = priceTicks;
        _sizes[level] = size;
        _length = Math.Max(_length, level + 1);
        Count += (size != 0 ? 1 : 0) - (wasPresent ? 1 : 0);
    }

    public void Clear()
    {
        Array.Clear(_sizes);
        _length = 0;
        Count = 0;
    }

    /// <summary>Present levels in level order (best first).</summary>
    public PriceSize[] Levels()
    {
        var levels = new PriceSize[Count];
        var n = 0;
        for (var i = 0; i < _length; i++)
        {
            if (_sizes[i] != 0)
            {
                levels[n++] = new PriceSize(PriceTicks.ToDouble(_prices[i]), _sizes[i]);
            }
        }

        return levels;
    }

    public long? BestPriceTicks()
    {
        for (var i = 0; i < _length; i++)
        {
            if (_sizes[i] != 0)
            {
                return _prices[i];
            }
        }

        return null;
    }
}
