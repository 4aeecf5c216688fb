using Key = NetBet.Core.Books.MarketBookReader.Key;

namespace NetBet.Core.Books;

/// <summary>
/// <see cref="MarketBookReader"/>'s fast path: one pass over the bytes of a MarketBook in Betfair's own plain shape,
/// reading the fields the engine needs straight from the UTF-8 text and checking the rest only for being JSON.
/// It gives up (returns null) on anything outside that shape: comments, escapes or non-ASCII bytes in strings,
/// <c>[price, size]</c> pairs, other keys in a level, a level without price or size, numbers out of range, deep
/// nesting, and anything that is not JSON. The caller then reads the document the general way from the start, so
/// every result, and every error with its JSON path, is the general reader's; the scanner only ever returns the same
/// book sooner (tests hold it to that).
/// </summary>
internal ref partial struct MarketBookScanner
{
    // Utf8JsonReader's own limit is 64; a book's fields sit 6 deep, and skipped values deeper than this are left to it.
    private const int MaxDepth = 32;

    private readonly ReadOnlySpan<byte> _json;
    private readonly ReaderScratch _scratch;
    private readonly bool _includeTradedVolume;
    private int _pos;

    private MarketBookScanner(ReadOnlySpan<byte> json, ReaderScratch scratch, bool includeTradedVolume)
    {
        _json = json;
        _scratch = scratch;
        _includeTradedVolume = includeTradedVolume;
    }

    /// <summary>The book, or null when the document is not in the plain shape the scanner reads.</summary>
    public static MarketBook? TryRead(ReadOnlySpan<byte> utf8Json, bool includeTradedVolume)
    {
        var scanner = new MarketBookScanner(utf8Json, ReaderScratch.ForThisThread, includeTradedVolume);
        return scanner.TryReadBook(out var book) && scanner.Peek() == 0 && scanner._pos == utf8Json.Length ? book : null;
    }

    private bool TryReadBook(out MarketBook? book)
    {
        book = null;
        if (!TryStartObject(out var empty))
        {
            return false;
        }

        string? marketId = null, status = null;
        bool? inplay = null;
        double? totalMatched = null;
        RunnerBook[] runners = [];
        var runnerEntries = 0;
        while (!empty)
        {
            if (!TryReadKey(out var key))
            {
                return false;
            }

            var read = key switch
            {
                Key.MarketId => TryReadMarketId(out marketId),
                Key.Status => TryReadString(out status),
                Key.Inplay => TryReadBoolean(out inplay),
                Key.TotalMatched => TryReadNumber(out totalMatched),
                Key.Runners => TryReadRunners(out runners, out runnerEntries),
                _ => TrySkipValue(1),
            };
            if (!read || !TryEndMember((byte)'}', out empty))
            {
                return false;
            }
        }

        book = new MarketBook(marketId, status, inplay, totalMatched, runnerEntries, runners);
        return true;
    }

    private bool TryReadRunners(out RunnerBook[] runners, out int entries)
    {
        runners = [];
        entries = 0;
        if (TryReadNull())
        {
            return true;
        }

        if (!TryStartArray(out var empty))
        {
            return false;
        }

        var scratch = _scratch.Runners;
        var count = 0;
        var ok = true;
        while (!empty)
        {
            entries++;
            if (TryReadNull())
            {
                // a null entry is counted, and is no runner
            }
            else if (TryReadRunner(out var runner))
            {
                if (count == scratch.Length)
                {
                    scratch = _scratch.GrowRunners();
                }

                scratch[count++] = runner;
            }
            else
            {
                ok = false;
                break;
            }

            if (!TryEndMember((byte)']', out empty))
            {
                ok = false;
                break;
            }
        }

        if (ok)
        {
            runners = count == 0 ? [] : scratch.AsSpan(0, count).ToArray();
        }

        scratch.AsSpan(0, count).Clear(); // the scratch array must not keep books alive
        return ok;
    }

    private bool TryReadRunner(out RunnerBook runner)
    {
        runner = null!;
        if (!TryStartObject(out var empty))
        {
            return false;
        }

        long? selectionId = null;
        string? status = null;
        double? totalMatched = null;
        PriceSize[] back = [], lay = [];
        PriceSize[]? traded = _includeTradedVolume ? [] : null;
        while (!empty)
        {
            if (!TryReadKey(out var key))
            {
                return false;
            }

            var read = key switch
            {
                Key.SelectionId => TryReadSelectionId(out selectionId),
                Key.Status => TryReadString(out status),
                Key.TotalMatched => TryReadNumber(out totalMatched),
                Key.Ex => TryReadExchangePrices(ref back, ref lay, ref traded),
                _ => TrySkipValue(3),
            };
            if (!read || !TryEndMember((byte)'}', out empty))
            {
                return false;
            }
        }

        runner = new RunnerBook(selectionId, status, totalMatched, back, lay, traded);
        return true;
    }

    // As the general reader: a later "ex" replaces what an earlier one listed.
    private bool TryReadExchangePrices(ref PriceSize[] back, ref PriceSize[] lay, ref PriceSize[]? traded)
    {
        back = [];
        lay = [];
        traded = _includeTradedVolume ? [] : null;
        if (TryReadNull())
        {
            return true;
        }

        if (!TryStartObject(out var empty))
        {
            return false;
        }

        while (!empty)
        {
            if (!TryReadKey(out var key))
            {
                return false;
            }

            var read = key switch
            {
                Key.AvailableToBack => TryReadLevels(out back),
                Key.AvailableToLay => TryReadLevels(out lay),
                Key.TradedVolume when _includeTradedVolume => TryReadLevels(out traded),
                _ => TrySkipValue(4),
            };
            if (!read || !TryEndMember((byte)'}', out empty))
            {
                return false;
            }
        }

        return true;
    }

    private bool TryReadLevels(out PriceSize[] levels)
    {
        levels = [];
        if (TryReadNull())
        {
            return true;
        }

        if (!TryStartArray(out var empty))
        {
            return false;
        }

        var scratch = _scratch.Levels;
        var count = 0;
        while (!empty)
        {
            if (count == scratch.Length)
            {
                scratch = _scratch.GrowLevels();
            }

            if (TryReadNull())
            {
                scratch[count++] = default;
            }
            else if (TryReadLevel(out scratch[count]))
            {
                count++;
            }
            else
            {
                return false;
            }

            if (!TryEndMember((byte)']', out empty))
            {
                return false;
            }
        }

        levels = count == 0 ? [] : scratch.AsSpan(0, count).ToArray();
        return true;
    }

    // {"price": p, "size": s} in either order, null read as 0; any other key is the general reader's to judge.
    private bool TryReadLevel(out PriceSize level)
    {
        level = default;
        if (!TryStartObject(out var empty))
        {
            return false;
        }

        double? price = null, size = null;
        while (!empty)
        {
            if (!TryReadKey(out var key))
            {
                return false;
            }

            double? value;
            var read = key switch
            {
                Key.Price => TryReadNumber(out value),
                Key.Size => TryReadNumber(out value),
                _ => TryFail(out value),
            };
            if (!read || !TryEndMember((byte)'}', out empty))
            {
                return false;
            }

            if (key == Key.Price)
            {
                price = value ?? 0.0;
            }
            else
            {
                size = value ?? 0.0;
            }
        }

        if (price is not { } p || size is not { } s)
        {
            return false;
        }

        level = new PriceSize(p, s);
        return true;
    }

    private static bool TryFail(out double? value)
    {
        value = null;
        return false;
    }
}
