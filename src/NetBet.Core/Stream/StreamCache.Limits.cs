using System.Globalization;
using NetBet.Core.Books;

namespace NetBet.Core.Stream;

/// <summary>
/// The bounds that keep a cache's memory proportional to real markets whatever a file contains. Each is checked on
/// the parsed line before anything is applied, so a line that breaks one is a <see cref="StreamFormatException"/>
/// and changes nothing.
/// </summary>
public sealed partial class StreamCache
{
    /// <summary>
    /// Most runners one market may have. Real football files reach a few hundred (SCORE_CAST has 338); a line that
    /// would take a market past this is rejected.
    /// </summary>
    public const int MaxRunnersPerMarket = 1000;

    /// <summary>Default for the most markets held at once (see <see cref="StreamCache(int)"/>).</summary>
    public const int DefaultMaxMarkets = 10_000;

    private const long CentMicros = PriceLadder.MicrosPerUnit / 100;

    private readonly int _maxMarkets;
    private readonly int[] _elementIndex = new int[7];

    private enum LadderKind : byte
    {
        Classic,
        Finest,
        Other,
    }

    /// <summary>
    /// Rejects a price that is not on the market's price ladder (FORMATS.md: ladder keys are valid ticks): CLASSIC,
    /// the default, has 350 prices, so a side never holds more than 350 levels; FINEST (Asian handicap) is every 0.01
    /// from 1.01 to 1000; other types (LINE_RANGE) every 0.01 up to 1000. Traded volume may also sit between ticks
    /// (SP-matched volume; the nautilus horse sample trades at 2.27), so <c>trd</c> accepts any FINEST price too.
    /// A level-keyed removal (<c>[2,0,0]</c>) carries price 0 and is accepted.
    /// </summary>
    private void CheckPrices(int firstMarket)
    {
        for (var m = firstMarket; m < _pending.Markets.Count; m++)
        {
            ref var change = ref _pending.Markets[m];
            var ladderType = change.Definition is { } definition ? definition.PriceLadderType
                : change.Image || !_marketsBySpan.TryGetValue(_pending.MarketId(change), out var market) ? null
                : market.Definition?.PriceLadderType;
            var kind = ladderType switch
            {
                null or "CLASSIC" => LadderKind.Classic,
                "FINEST" => LadderKind.Finest,
                _ => LadderKind.Other,
            };

            for (var r = change.RunnerStart; r < change.RunnerStart + change.RunnerCount; r++)
            {
                ref var runner = ref _pending.Runners[r];
                Array.Clear(_elementIndex);
                foreach (ref readonly var op in _pending.Ops.Items.AsSpan(runner.OpStart, runner.OpCount))
                {
                    var element = _elementIndex[(int)op.Field]++;
                    var accepted = op.Field switch
                    {
                        LadderField.Atb or LadderField.Atl => OnLadder(op.Price, kind),
                        LadderField.Trd => OnLadder(op.Price, kind) || PriceLadder.IsFinestMicros(op.Price),
                        _ => (op.Price == 0 && op.Size == 0) || OnLadder(op.Price, kind),
                    };
                    if (!accepted)
                    {
                        var price = ((decimal)op.Price / PriceLadder.MicrosPerUnit).ToString("0.######", CultureInfo.InvariantCulture);
                        throw new StreamFormatException(string.Create(
                            CultureInfo.InvariantCulture,
                            $"price {price} is not on Betfair's {ladderType ?? "CLASSIC"} price ladder at $.mc[{m - firstMarket}].rc[{r - change.RunnerStart}].{StreamMessageParser.FieldName(op.Field)}[{element}]"));
                    }
                }
            }
        }
    }

    private static bool OnLadder(long priceMicros, LadderKind kind) => kind switch
    {
        LadderKind.Classic => PriceLadder.ContainsMicros(priceMicros),
        LadderKind.Finest => PriceLadder.IsFinestMicros(priceMicros),
        _ => priceMicros is > 0 and <= PriceLadder.MaxMicros && priceMicros % CentMicros == 0,
    };

    /// <summary>
    /// Rejects a message that would hold more than the markets cap or give a market more than
    /// <see cref="MaxRunnersPerMarket"/> runners. The earlier lines of a segmented message passed already, so the
    /// change that breaks a cap is on this line (from <paramref name="firstMarket"/> on).
    /// </summary>
    private void CheckCaps(int firstMarket)
    {
        var changes = _pending.Markets.Count;
        if (_markets.Count + changes > _maxMarkets)
        {
            CheckMarketCap(firstMarket);
        }

        // Cheap bound first: no market can gain more runners than the whole message names.
        long named = 0;
        var mostExisting = 0;
        for (var m = 0; m < changes; m++)
        {
            ref var change = ref _pending.Markets[m];
            named += (change.Definition?.Runners.Count ?? 0) + change.RunnerCount;
            if (_marketsBySpan.TryGetValue(_pending.MarketId(change), out var market))
            {
                mostExisting = Math.Max(mostExisting, market.Runners.Count);
            }
        }

        if (mostExisting + named > MaxRunnersPerMarket)
        {
            CheckRunnerCap(firstMarket);
        }
    }

    private void CheckMarketCap(int firstMarket)
    {
        var added = new HashSet<string>(StringComparer.Ordinal);
        for (var m = 0; m < _pending.Markets.Count; m++)
        {
            var id = _pending.MarketId(_pending.Markets[m]);
            if (!_marketsBySpan.ContainsKey(id) && added.Add(id.ToString()) && _markets.Count + added.Count > _maxMarkets)
            {
                throw new StreamFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"market {id} would be one market too many: at most {_maxMarkets} markets are held at once (a market leaves when it is closed) at $.mc[{Math.Max(m - firstMarket, 0)}]"));
            }
        }
    }

    private void CheckRunnerCap(int firstMarket)
    {
        var keysByMarket = new Dictionary<string, HashSet<(long Id, long Hc)>>(StringComparer.Ordinal);
        var lookup = keysByMarket.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var m = 0; m < _pending.Markets.Count; m++)
        {
            ref var change = ref _pending.Markets[m];
            var id = _pending.MarketId(change);
            if (!lookup.TryGetValue(id, out var keys))
            {
                keys = [];
                if (_marketsBySpan.TryGetValue(id, out var market))
                {
                    foreach (var runner in market.Runners)
                    {
                        keys.Add((runner.SelectionId, runner.HandicapTicks));
                    }
                }

                lookup[id] = keys;
            }

            // Applied in this order: image reset, definition runners, runner changes.
            if (change.Image)
            {
                keys.Clear();
            }

            foreach (var runner in change.Definition?.Runners ?? [])
            {
                keys.Add((runner.SelectionId, (long)Math.Round(runner.Handicap * PriceTicks.Scale)));
            }

            for (var r = change.RunnerStart; r < change.RunnerStart + change.RunnerCount; r++)
            {
                keys.Add((_pending.Runners[r].Id, _pending.Runners[r].Handicap));
            }

            if (keys.Count > MaxRunnersPerMarket)
            {
                throw new StreamFormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"market {id} would have {keys.Count} runners, more than the {MaxRunnersPerMarket} a market may have at $.mc[{Math.Max(m - firstMarket, 0)}]"));
            }
        }
    }
}
