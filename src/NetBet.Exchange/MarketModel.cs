using System.Globalization;
using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Exchange;

/// <summary>Status of a simulated market at one minute, with the numbers its book is drawn from.</summary>
internal readonly record struct MarketView(
    string Status,
    bool Inplay,
    long Minute,
    int HomeGoals,
    int AwayGoals,
    double HomeProbability,
    double AwayProbability,
    double DrawProbability,
    double HomeMatched,
    double AwayMatched,
    double DrawMatched,
    long Version);

/// <summary>
/// The evolving football books of the simulator. Pure: a book depends only on the seed, the start time and the
/// minute asked for, never on which minutes were asked before or how often. Each market steps minute by minute from
/// an epoch three hours before the start: goal rates drift before kick-off; from kick-off goals arrive at random,
/// the market suspends around each goal, and it closes two hours after kick-off. Prices come from the match-result
/// probabilities of the remaining play (independent Poisson goals), placed on Betfair's tick ladder with the best
/// lay always above the best back. Thread-safe.
/// </summary>
internal sealed class MarketModel
{
    /// <summary>How long after kick-off a market is CLOSED (and left out of catalogue answers).</summary>
    public static readonly TimeSpan CloseAfterKickOff = TimeSpan.FromMinutes(120);

    private const int FirstHalfEnd = 47;      // 45 minutes + stoppage
    private const int SecondHalfStart = 62;   // after a 15-minute break
    private const int FullTime = 111;         // 45 more minutes + stoppage
    private const int SuspendMinutesAfterGoal = 2;

    private readonly int _seed;
    private readonly DateTimeOffset _epoch;
    private readonly SimulatedMarket[] _markets;
    private readonly Dictionary<string, int> _indexById;
    private readonly MarketState[] _states;

    public MarketModel(int marketCount, int seed, DateTimeOffset start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(marketCount);
        _seed = seed;
        var utc = start.ToUniversalTime();
        _epoch = new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddHours(-3);
        _markets = [.. SimulatedFixtures.Create(marketCount, seed, start)];
        _indexById = _markets.ToDictionary(m => m.MarketId, m => m.Index, StringComparer.Ordinal);
        _states = [.. _markets.Select(Initial)];
    }

    public IReadOnlyList<SimulatedMarket> Markets => _markets;

    public SimulatedMarket? Find(string marketId) => _indexById.TryGetValue(marketId, out var i) ? _markets[i] : null;

    public static bool IsClosed(SimulatedMarket market, DateTimeOffset now) => now >= market.ClosesAt;

    /// <summary>The market at <paramref name="now"/> (clamped to the epoch).</summary>
    public MarketView ViewAt(SimulatedMarket market, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(market);
        var minute = Math.Max(0L, (long)Math.Floor((now - _epoch).TotalMinutes));
        var state = _states[market.Index];
        lock (state)
        {
            if (state.Minute > minute)
            {
                state.CopyFrom(Initial(market));
            }

            while (state.Minute < minute)
            {
                Step(market, state);
            }

            return View(market, state);
        }
    }

    /// <summary>
    /// Writes the listMarketBook MarketBook of <paramref name="market"/> at <paramref name="now"/>.
    /// </summary>
    /// <param name="depth">Levels per side: null for every level (EX_ALL_OFFERS), 3 for EX_BEST_OFFERS, 0 for no <c>ex</c>.</param>
    public void WriteBook(Utf8JsonWriter json, SimulatedMarket market, DateTimeOffset now, int? depth)
    {
        ArgumentNullException.ThrowIfNull(json);
        var view = ViewAt(market, now);
        double[] probabilities = [view.HomeProbability, view.AwayProbability, view.DrawProbability];
        double[] matched = [view.HomeMatched, view.AwayMatched, view.DrawMatched];
        long[] selectionIds = [market.Home.SelectionId, market.Away.SelectionId, SimulatedMarket.DrawSelectionId];
        var ladders = new (List<PriceSize> Back, List<PriceSize> Lay)[3];
        var totalAvailable = 0.0;
        for (var r = 0; r < 3; r++)
        {
            ladders[r] = view.Status == "OPEN"
                ? Ladder(market, view, r, probabilities[r])
                : ([], []);
            totalAvailable += ladders[r].Back.Sum(l => l.Size) + ladders[r].Lay.Sum(l => l.Size);
        }

        var winner = view.HomeGoals > view.AwayGoals ? 0 : view.AwayGoals > view.HomeGoals ? 1 : 2;
        json.WriteStartObject();
        json.WriteString("marketId", market.MarketId);
        json.WriteBoolean("isMarketDataDelayed", false);
        json.WriteString("status", view.Status);
        json.WriteNumber("betDelay", view.Inplay ? 5 : 0);
        json.WriteBoolean("bspReconciled", false);
        json.WriteBoolean("complete", true);
        json.WriteBoolean("inplay", view.Inplay);
        json.WriteNumber("numberOfWinners", 1);
        json.WriteNumber("numberOfRunners", 3);
        json.WriteNumber("numberOfActiveRunners", view.Status == "CLOSED" ? 0 : 3);
        json.WriteString("lastMatchTime", FormatTime(_epoch.AddMinutes(view.Minute)));
        json.WriteNumber("totalMatched", Math.Round(matched.Sum(), 2));
        json.WriteNumber("totalAvailable", Math.Round(totalAvailable, 2));
        json.WriteBoolean("crossMatching", true);
        json.WriteBoolean("runnersVoidable", false);
        json.WriteNumber("version", view.Version);
        json.WriteStartArray("runners");
        for (var r = 0; r < 3; r++)
        {
            var (back, lay) = ladders[r];
            json.WriteStartObject();
            json.WriteNumber("selectionId", selectionIds[r]);
            json.WriteNumber("handicap", 0.0);
            json.WriteString("status", view.Status != "CLOSED" ? "ACTIVE" : r == winner ? "WINNER" : "LOSER");
            if (back.Count > 0)
            {
                json.WriteNumber("lastPriceTraded", back[0].Price);
            }

            json.WriteNumber("totalMatched", Math.Round(matched[r], 2));
            if (depth != 0)
            {
                json.WriteStartObject("ex");
                WriteLevels(json, "availableToBack", back, depth);
                WriteLevels(json, "availableToLay", lay, depth);
                json.WriteStartArray("tradedVolume");
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    internal static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The back and lay ladder of one runner, best first; back strictly below lay.</summary>
    internal (List<PriceSize> Back, List<PriceSize> Lay) Ladder(SimulatedMarket market, MarketView view, int runner, double probability)
    {
        var random = new SplitMix(_seed, market.Index + ((runner + 1) * 100_000), view.Minute);
        var fair = 1.0 / Math.Max(probability, 0.0005);
        var margin = random.NextDouble() * (view.Inplay ? 0.03 : 0.012);
        var backIndex = Math.Min(PriceLadder.IndexAtOrBelow(fair * (1 - margin)), PriceLadder.Count - 2);
        var layIndex = Math.Max(backIndex + 1, PriceLadder.IndexAtOrAbove(fair * (1 + margin)));
        if (view.Inplay && random.NextDouble() < 0.3)
        {
            layIndex = Math.Min(layIndex + 1, PriceLadder.Count - 1);
        }

        var liquidity = market.Competition.Popularity * (view.Inplay ? 180 : 320) * (0.4 + probability);
        var backLevels = view.Inplay ? random.Next(1, 8) : random.Next(3, 10);
        var layLevels = view.Inplay ? random.Next(1, 8) : random.Next(3, 10);
        var back = new List<PriceSize>(backLevels);
        for (int k = 0, i = backIndex; k < backLevels && i >= 0; k++, i -= random.NextDouble() < 0.2 ? 2 : 1)
        {
            back.Add(new PriceSize(PriceLadder.At(i), Size(ref random, liquidity, k)));
        }

        var lay = new List<PriceSize>(layLevels);
        for (int k = 0, i = layIndex; k < layLevels && i < PriceLadder.Count; k++, i += random.NextDouble() < 0.2 ? 2 : 1)
        {
            lay.Add(new PriceSize(PriceLadder.At(i), Size(ref random, liquidity, k)));
        }

        return (back, lay);
    }

    private static double Size(ref SplitMix random, double liquidity, int level) =>
        Math.Max(1.0, Math.Round(liquidity * (0.15 + random.NextDouble()) * Math.Exp(-0.2 * level) * (level == 0 ? 0.6 : 1), 2));

    private static void WriteLevels(Utf8JsonWriter json, string name, List<PriceSize> levels, int? depth)
    {
        json.WriteStartArray(name);
        var count = depth is { } d ? Math.Min(d, levels.Count) : levels.Count;
        for (var i = 0; i < count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("price", levels[i].Price);
            json.WriteNumber("size", levels[i].Size);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private MarketState Initial(SimulatedMarket market)
    {
        var random = new SplitMix(_seed, market.Index, -2);
        var state = new MarketState { RateHome = market.HomeGoalRate, RateAway = market.AwayGoalRate };
        var opening = market.Competition.Popularity * (3_000 + (random.NextDouble() * 20_000));
        var (h, a, d) = Outcomes(state.RateHome, state.RateAway, 0, 0, 1.0);
        state.Matched[0] = opening * h;
        state.Matched[1] = opening * a;
        state.Matched[2] = opening * d;
        return state;
    }

    private void Step(SimulatedMarket market, MarketState state)
    {
        var random = new SplitMix(_seed, market.Index, state.Minute);
        var sinceKickOff = (_epoch.AddMinutes(state.Minute) - market.KickOff).TotalMinutes;
        var view = View(market, state);
        if (sinceKickOff < 0)
        {
            // Pre-match drift: team news and money move the goal expectations a little every minute.
            state.RateHome = Math.Clamp(state.RateHome * Math.Exp(0.012 * random.NextGaussian()), 0.2, 4.5);
            state.RateAway = Math.Clamp(state.RateAway * Math.Exp(0.012 * random.NextGaussian()), 0.2, 4.5);
        }
        else if (IsPlaying(sinceKickOff))
        {
            var u = random.NextDouble();
            if (u < state.RateHome / 90)
            {
                state.GoalsHome++;
                state.LastGoalMinute = state.Minute + 1;
            }
            else if (u < (state.RateHome + state.RateAway) / 90)
            {
                state.GoalsAway++;
                state.LastGoalMinute = state.Minute + 1;
            }
        }

        if (sinceKickOff < FullTime)
        {
            var pace = sinceKickOff < 0 ? 1 + (8 * Math.Exp(sinceKickOff / 90)) : 9;
            var volume = market.Competition.Popularity * 45 * pace * (0.5 + random.NextDouble());
            state.Matched[0] += volume * view.HomeProbability;
            state.Matched[1] += volume * view.AwayProbability;
            state.Matched[2] += volume * view.DrawProbability;
        }

        state.Minute++;
    }

    private MarketView View(SimulatedMarket market, MarketState state)
    {
        var sinceKickOff = (_epoch.AddMinutes(state.Minute) - market.KickOff).TotalMinutes;
        var inplay = sinceKickOff >= 0;
        var played = sinceKickOff < 0 ? 0
            : sinceKickOff < FirstHalfEnd ? Math.Min(45, sinceKickOff)
            : sinceKickOff < SecondHalfStart ? 45
            : Math.Min(90, 45 + (sinceKickOff - SecondHalfStart));
        var remaining = sinceKickOff >= FullTime ? 0 : (90 - played) / 90;
        var (h, a, d) = Outcomes(state.RateHome, state.RateAway, state.GoalsHome, state.GoalsAway, remaining);
        var status = sinceKickOff >= CloseAfterKickOff.TotalMinutes ? "CLOSED"
            : sinceKickOff >= FullTime ? "SUSPENDED"
            : state.Minute - state.LastGoalMinute < SuspendMinutesAfterGoal ? "SUSPENDED"
            : "OPEN";
        var version = 4_000_000_000L + (market.Index * 1000L) + (2 * (state.GoalsHome + state.GoalsAway))
            + (inplay ? 1 : 0) + (status == "CLOSED" ? 500 : 0);
        return new MarketView(status, inplay, state.Minute, state.GoalsHome, state.GoalsAway, h, a, d,
            state.Matched[0], state.Matched[1], state.Matched[2], version);
    }

    private static bool IsPlaying(double sinceKickOff) =>
        sinceKickOff is >= 0 and < FirstHalfEnd || sinceKickOff is >= SecondHalfStart and < FullTime;

    // Match-result probabilities with independent Poisson goals over the remaining fraction of the match.
    internal static (double Home, double Away, double Draw) Outcomes(double rateHome, double rateAway, int goalsHome,
        int goalsAway, double remainingFraction)
    {
        const int MaxGoals = 12;
        Span<double> home = stackalloc double[MaxGoals + 1];
        Span<double> away = stackalloc double[MaxGoals + 1];
        Poisson(rateHome * remainingFraction, home);
        Poisson(rateAway * remainingFraction, away);
        double pHome = 0, pAway = 0, pDraw = 0;
        for (var i = 0; i <= MaxGoals; i++)
        {
            for (var j = 0; j <= MaxGoals; j++)
            {
                var p = home[i] * away[j];
                var difference = goalsHome + i - (goalsAway + j);
                if (difference > 0)
                {
                    pHome += p;
                }
                else if (difference < 0)
                {
                    pAway += p;
                }
                else
                {
                    pDraw += p;
                }
            }
        }

        var total = pHome + pAway + pDraw;
        return (pHome / total, pAway / total, pDraw / total);
    }

    private static void Poisson(double mean, Span<double> into)
    {
        var p = Math.Exp(-mean);
        for (var k = 0; k < into.Length; k++)
        {
            into[k] = p;
            p *= mean / (k + 1);
        }
    }

    private sealed class MarketState
    {
        public long Minute { get; set; }
        public double RateHome { get; set; }
        public double RateAway { get; set; }
        public int GoalsHome { get; set; }
        public int GoalsAway { get; set; }
        public long LastGoalMinute { get; set; } = -100;
        public double[] Matched { get; } = new double[3];

        public void CopyFrom(MarketState other)
        {
            Minute = other.Minute;
            RateHome = other.RateHome;
            RateAway = other.RateAway;
            GoalsHome = other.GoalsHome;
            GoalsAway = other.GoalsAway;
            LastGoalMinute = other.LastGoalMinute;
            other.Matched.CopyTo(Matched, 0);
        }
    }
}
