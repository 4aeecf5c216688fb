using System.Buffers;
using System.Text.Json;

namespace NetBet.Exchange.Stream;

/// <summary>One published change: its clock position, publish time and the market changes it carried.</summary>
internal sealed record PublishedChange(long Sequence, long PublishTime, IReadOnlyList<MarketChangeBytes> Markets);

/// <summary>How a subscription starts: an image (null when resuming) or the changes missed since the resumed <c>clk</c>.</summary>
internal sealed record SubscriptionStart(IReadOnlyList<MarketChangeBytes>? Image, IReadOnlyList<PublishedChange> Missed, long Sequence, long PublishTime);

/// <summary>One market's part of a change, as JSON (an <c>mc</c> element).</summary>
internal sealed record MarketChangeBytes(SimulatedMarket Market, byte[] Json);

/// <summary>
/// The fake stream's one source of truth: every second of the exchange clock it moves each market to the model's book
/// and publishes the differences as one numbered change (the number is the <c>clk</c>). It keeps the recent changes so
/// a resubscription with a <c>clk</c> gets exactly what it missed, and renders images for new subscriptions.
/// Sessions are told about each change under the same lock, so no session sees a change twice or misses one.
/// </summary>
internal sealed class StreamPublisher : IDisposable
{
    private const int HistoryLimit = 20_000;

    private readonly MarketModel _model;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<StreamMarketState> _markets;
    private readonly LinkedList<PublishedChange> _history = new();
    private readonly List<Action<PublishedChange>> _listeners = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly ITimer _timer;
    private long _sequence;
    private long _lastPublishTime;

    public StreamPublisher(MarketModel model, TimeProvider time)
    {
        _model = model;
        _time = time;
        var now = time.GetUtcNow();
        _markets = [.. model.Markets.Where(m => !MarketModel.IsClosed(m, now)).Select(m => new StreamMarketState(m))];
        Publish();
        _timer = time.CreateTimer(_ => Publish(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The <c>clk</c> of the latest change.</summary>
    public long Sequence
    {
        get
        {
            lock (_lock)
            {
                return _sequence;
            }
        }
    }

    /// <summary>Now on the exchange clock, in ms since the Unix epoch (never before the last publish time).</summary>
    public long Now() => Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), Volatile.Read(ref _lastPublishTime));

    /// <summary>
    /// Starts a subscription. Under the publisher lock, <paramref name="start"/> receives either the changes after
    /// <paramref name="resumeFrom"/> (when they are all still kept) or an image of every open market the filter
    /// selects; then <paramref name="onChange"/> receives every later change, until the returned handle is disposed.
    /// </summary>
    public IDisposable Subscribe(Func<SimulatedMarket, bool> filter, long? resumeFrom, Action<SubscriptionStart> start, Action<PublishedChange> onChange)
    {
        lock (_lock)
        {
            if (resumeFrom is { } clk && clk <= _sequence && _history.First?.Value.Sequence <= clk + 1 && _history.Any(c => c.Sequence == clk))
            {
                var missed = _history.Where(c => c.Sequence > clk).ToList();
                var resumedAt = _history.FirstOrDefault(c => c.Sequence == clk)?.PublishTime ?? _lastPublishTime;
                start(new SubscriptionStart(null, missed, clk, resumedAt));
            }
            else
            {
                var image = new List<MarketChangeBytes>();
                foreach (var market in _markets)
                {
                    if (!market.IsClosed && filter(market.Market))
                    {
                        _buffer.ResetWrittenCount();
                        using (var json = new Utf8JsonWriter(_buffer))
                        {
                            market.WriteImage(json);
                        }

                        image.Add(new MarketChangeBytes(market.Market, _buffer.WrittenSpan.ToArray()));
                    }
                }

                start(new SubscriptionStart(image, [], _sequence, Math.Max(_lastPublishTime, _time.GetUtcNow().ToUnixTimeMilliseconds())));
            }

            _listeners.Add(onChange);
            return new Unsubscriber(this, onChange);
        }
    }

    /// <summary>Drops the kept changes: a resubscription from an older <c>clk</c> then gets an image.</summary>
    public void ForgetHistory()
    {
        lock (_lock)
        {
            _history.Clear();
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Publish()
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var changes = new List<MarketChangeBytes>();
            for (var i = _markets.Count - 1; i >= 0; i--)
            {
                var market = _markets[i];
                if (market.IsClosed)
                {
                    _markets.RemoveAt(i); // its CLOSED definition went out with the previous change
                    continue;
                }

                _buffer.ResetWrittenCount();
                bool changed;
                using (var json = new Utf8JsonWriter(_buffer))
                {
                    changed = market.Update(_model, now, json);
                }

                if (changed)
                {
                    changes.Add(new MarketChangeBytes(market.Market, _buffer.WrittenSpan.ToArray()));
                }
            }

            if (changes.Count == 0)
            {
                return;
            }

            changes.Reverse();
            var publishTime = Math.Max(now.ToUnixTimeMilliseconds(), _lastPublishTime);
            var change = new PublishedChange(++_sequence, publishTime, changes);
            Volatile.Write(ref _lastPublishTime, publishTime);
            _history.AddLast(change);
            if (_history.Count > HistoryLimit)
            {
                _history.RemoveFirst();
            }

            foreach (var listener in _listeners)
            {
                listener(change);
            }
        }
    }

    private sealed class Unsubscriber(StreamPublisher publisher, Action<PublishedChange> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (publisher._lock)
            {
                publisher._listeners.Remove(listener);
            }
        }
    }
}
