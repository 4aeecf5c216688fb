using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Exchange.Stream;

/// <summary>
/// What the fake stream last published for one market: definition fields, available ladders, traded ladder, last
/// traded price and traded volume per runner. <see cref="Update"/> moves it to the model's book at a new instant and
/// writes the market change (only what differs), <see cref="WriteImage"/> writes all of it with <c>img: true</c>.
/// The available ladders are exactly the REST book's (<see cref="MarketModel.Ladder"/>); the traded ladder adds
/// each minute's matched money at that minute's best back price, so its sum is the REST runner <c>totalMatched</c>.
/// </summary>
internal sealed class StreamMarketState(SimulatedMarket market)
{
    private readonly RunnerLadders[] _runners = [new(), new(), new()];
    private MarketView _view;
    private bool _initialised;

    public SimulatedMarket Market { get; } = market;

    public bool IsClosed => _initialised && _view.Status == "CLOSED";

    private long[] SelectionIds => [Market.Home.SelectionId, Market.Away.SelectionId, SimulatedMarket.DrawSelectionId];

    /// <summary>Moves to the book at <paramref name="now"/>; writes the change into <paramref name="json"/> and returns true when anything changed.</summary>
    public bool Update(MarketModel model, DateTimeOffset now, Utf8JsonWriter json)
    {
        var view = model.ViewAt(Market, now);
        if (_initialised && view.Minute == _view.Minute)
        {
            return false;
        }

        var definitionChanged = !_initialised || view.Status != _view.Status || view.Inplay != _view.Inplay || view.Version != _view.Version;
        var previous = _initialised ? _view : view;
        _initialised = true;
        _view = view;
        json.WriteStartObject();
        json.WriteString("id"u8, Market.MarketId);
        if (definitionChanged)
        {
            WriteDefinition(json);
        }

        double[] probabilities = [view.HomeProbability, view.AwayProbability, view.DrawProbability];
        double[] matched = [view.HomeMatched, view.AwayMatched, view.DrawMatched];
        double[] matchedBefore = [previous.HomeMatched, previous.AwayMatched, previous.DrawMatched];
        var selections = SelectionIds;
        json.WriteStartArray("rc"u8);
        for (var r = 0; r < 3; r++)
        {
            var (back, lay) = view.Status == "OPEN" ? model.Ladder(Market, view, r, probabilities[r]) : ([], []);
            _runners[r].Update(json, selections[r], back, lay, Math.Round(matched[r], 2), Math.Round(matchedBefore[r], 2));
        }

        json.WriteEndArray();
        json.WriteNumber("tv"u8, Math.Round(matched.Sum(), 2));
        json.WriteEndObject();
        return true;
    }

    /// <summary>Writes the whole market (<c>img: true</c>, definition, every ladder).</summary>
    public void WriteImage(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, Market.MarketId);
        json.WriteBoolean("img"u8, true);
        WriteDefinition(json);
        json.WriteStartArray("rc"u8);
        var selections = SelectionIds;
        for (var r = 0; r < 3; r++)
        {
            _runners[r].WriteImage(json, selections[r]);
        }

        json.WriteEndArray();
        json.WriteNumber("tv"u8, Math.Round(_view.HomeMatched + _view.AwayMatched + _view.DrawMatched, 2));
        json.WriteEndObject();
    }

    // The live stream's definition: no market, event or runner names (those come from listMarketCatalogue).
    private void WriteDefinition(Utf8JsonWriter json)
    {
        var kickOff = MarketModel.FormatTime(Market.KickOff);
        var winner = _view.HomeGoals > _view.AwayGoals ? 0 : _view.AwayGoals > _view.HomeGoals ? 1 : 2;
        json.WriteStartObject("marketDefinition"u8);
        json.WriteBoolean("bspMarket"u8, false);
        json.WriteBoolean("turnInPlayEnabled"u8, true);
        json.WriteBoolean("persistenceEnabled"u8, true);
        json.WriteNumber("marketBaseRate"u8, 5);
        json.WriteString("eventId"u8, Market.EventId);
        json.WriteString("eventTypeId"u8, "1");
        json.WriteNumber("numberOfWinners"u8, 1);
        json.WriteString("bettingType"u8, "ODDS");
        json.WriteString("marketType"u8, "MATCH_ODDS");
        json.WriteString("marketTime"u8, kickOff);
        json.WriteString("suspendTime"u8, kickOff);
        json.WriteBoolean("bspReconciled"u8, false);
        json.WriteBoolean("complete"u8, true);
        json.WriteBoolean("inPlay"u8, _view.Inplay);
        json.WriteBoolean("crossMatching"u8, true);
        json.WriteBoolean("runnersVoidable"u8, false);
        json.WriteNumber("numberOfActiveRunners"u8, _view.Status == "CLOSED" ? 0 : 3);
        json.WriteNumber("betDelay"u8, _view.Inplay ? 5 : 0);
        json.WriteString("status"u8, _view.Status);
        json.WriteStartArray("runners"u8);
        var selections = SelectionIds;
        for (var r = 0; r < 3; r++)
        {
            json.WriteStartObject();
            json.WriteString("status"u8, _view.Status != "CLOSED" ? "ACTIVE" : r == winner ? "WINNER" : "LOSER");
            json.WriteNumber("sortPriority"u8, r + 1);
            json.WriteNumber("id"u8, selections[r]);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("regulators"u8);
        json.WriteStringValue("MR_INT");
        json.WriteEndArray();
        json.WriteString("countryCode"u8, Market.Competition.CountryCode);
        json.WriteBoolean("discountAllowed"u8, true);
        json.WriteString("timezone"u8, Market.Competition.Timezone);
        json.WriteString("openDate"u8, kickOff);
        json.WriteNumber("version"u8, _view.Version);
        json.WriteEndObject();
    }

    /// <summary>One runner's published ladders.</summary>
    private sealed class RunnerLadders
    {
        private readonly SortedDictionary<double, double> _back = [];
        private readonly SortedDictionary<double, double> _lay = [];
        private readonly SortedDictionary<double, double> _traded = [];
        private double? _ltp;
        private double _tv;

        public void Update(Utf8JsonWriter json, long selectionId, List<PriceSize> back, List<PriceSize> lay, double matched, double matchedBefore)
        {
            json.WriteStartObject();
            json.WriteNumber("id"u8, selectionId);
            WriteDiff(json, "atb"u8, _back, back);
            WriteDiff(json, "atl"u8, _lay, lay);
            var ltp = back.Count > 0 ? back[0].Price : _ltp;
            var added = Math.Round(matched - matchedBefore, 2);
            if (ltp is { } price && (added > 0 || _traded.Count == 0) && matched > 0)
            {
                // The whole opening volume goes to the first price; later minutes add their money at their price.
                var size = Math.Round(_traded.GetValueOrDefault(price) + (_traded.Count == 0 ? matched : added), 2);
                _traded[price] = size;
                json.WriteStartArray("trd"u8);
                WritePair(json, price, size);
                json.WriteEndArray();
            }

            if (ltp != _ltp && ltp is { } newLtp)
            {
                json.WriteNumber("ltp"u8, newLtp);
                _ltp = ltp;
            }

            if (matched != _tv)
            {
                json.WriteNumber("tv"u8, matched);
                _tv = matched;
            }

            json.WriteEndObject();
        }

        public void WriteImage(Utf8JsonWriter json, long selectionId)
        {
            json.WriteStartObject();
            json.WriteNumber("id"u8, selectionId);
            WriteAll(json, "atb"u8, _back);
            WriteAll(json, "atl"u8, _lay);
            WriteAll(json, "trd"u8, _traded);
            if (_ltp is { } ltp)
            {
                json.WriteNumber("ltp"u8, ltp);
            }

            json.WriteNumber("tv"u8, _tv);
            json.WriteEndObject();
        }

        // Betfair's delta rule: a level is sent with its new size, size 0 removes it.
        private static void WriteDiff(Utf8JsonWriter json, ReadOnlySpan<byte> name, SortedDictionary<double, double> published, List<PriceSize> levels)
        {
            var started = false;
            var now = new Dictionary<double, double>(levels.Count);
            foreach (var level in levels)
            {
                now[level.Price] = level.Size;
            }

            foreach (var (price, _) in published.ToList())
            {
                if (!now.ContainsKey(price))
                {
                    started = Start(json, name, started);
                    WritePair(json, price, 0);
                    published.Remove(price);
                }
            }

            foreach (var (price, size) in now)
            {
                if (!published.TryGetValue(price, out var old) || old != size)
                {
                    started = Start(json, name, started);
                    WritePair(json, price, size);
                    published[price] = size;
                }
            }

            if (started)
            {
                json.WriteEndArray();
            }
        }

        private static bool Start(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool started)
        {
            if (!started)
            {
                json.WriteStartArray(name);
            }

            return true;
        }

        private static void WriteAll(Utf8JsonWriter json, ReadOnlySpan<byte> name, SortedDictionary<double, double> levels)
        {
            json.WriteStartArray(name);
            foreach (var (price, size) in levels)
            {
                WritePair(json, price, size);
            }

            json.WriteEndArray();
        }

        private static void WritePair(Utf8JsonWriter json, double price, double size)
        {
            json.WriteStartArray();
            json.WriteNumberValue(price);
            json.WriteNumberValue(size);
            json.WriteEndArray();
        }
    }
}
