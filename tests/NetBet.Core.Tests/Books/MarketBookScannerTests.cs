using System.Text;
using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Tests.Books;

/// <summary>
/// The scanner is only a shortcut: whenever it returns a book, the general reader must read the same document to
/// the same book, bit for bit, and must not reject it.
/// </summary>
public sealed class MarketBookScannerTests
{
    private static readonly byte[] Sample = Encoding.UTF8.GetBytes(
        """
        {"marketId":"1.216395251","isMarketDataDelayed":false,"status":"OPEN","betDelay":0,"inplay":false,
         "lastMatchTime":"2026-11-26T12:00:00.000Z","totalMatched":184312.07,"version":4711,
         "keyLineDescription":{"keyLine":[{"handicap":-2.0,"selectionId":1}]},"runners":[
          {"selectionId":47972,"handicap":0.0,"status":"ACTIVE","lastPriceTraded":2.06,"totalMatched":61437.36,
           "ex":{"availableToBack":[{"price":2.06,"size":120.5},{"price":2.04,"size":33.12},{"price":2,"size":1005.77},{"price":1.99,"size":4}],
                 "availableToLay":[{"size":15.31,"price":2.08},{"price":2.1,"size":7}],"tradedVolume":[{"price":2.06,"size":1500}]}},
          {"selectionId":48461,"status":"ACTIVE","totalMatched":null,"sp":{"nearPrice":"NaN","backStakeTaken":[]},
           "ex":{"availableToBack":[{"price":3.55,"size":0.01},{"price":1.0,"size":-3}],"availableToLay":[]}},
          null,
          {"selectionId":58805,"status":"REMOVED","removalDate":"2026-11-26T10:00:00.000Z","adjustmentFactor":12.3,
           "ex":{"availableToBack":null,"availableToLay":[null,{"price":null,"size":2}]}},
          {"selectionId":0,"ex":null},
          {"selectionId":"7","totalMatched":1e3,"ex":{"availableToBack":[{"price":123456789012.3456,"size":-0}]}}
        ]}
        """);

    [Fact]
    public void TryRead_BetfairShapes_ReadsWhatTheReaderReads()
    {
        foreach (var traded in (bool[])[false, true])
        {
            var scanned = MarketBookScanner.TryRead(Sample, traded);
            Assert.NotNull(scanned);
            AssertSameBook(MarketBookReader.ReadWithoutScanner(Sample, "$", traded), scanned);
            Assert.Equal(6, scanned.RunnerEntryCount);
            Assert.Equal(5, scanned.Runners.Count);
        }
    }

    [Theory]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[[2.5,10]]}}]}""")] // [price, size]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[{"Price":2.5,"size":1,"price":2}]}}]}""")]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":2.5}]}}]}""")]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":"2.5","size":1}]}}]}""")]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":1.5}]}""")]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":-5}]}""")]
    [InlineData("""{"marketId":"1.2","totalMatched":1e16}""")]
    [InlineData("""{"marketId":"1.2","totalMatched":01}""")]
    [InlineData("""{"m\u0061rketId":"1.2"}""")]
    [InlineData("""{"marketId":"1.\u0032"}""")]
    [InlineData("""{"marketId":"1.2","runners":[],}""")]
    [InlineData("""{"marketId":"1.2","runners":[{},]}""")]
    [InlineData("""{"marketId":"1.2"} /* c */""")]
    [InlineData("""{"marketId":"1.2"}{}""")]
    [InlineData("""{"marketId":"1.2","name":"Café"}""")]
    [InlineData("""{"marketId":"1.2","inplay":"yes"}""")]
    [InlineData("\uFEFF{\"marketId\":\"1.2\"}")]
    [InlineData("""{"marketId":"1.2","runners":{}}""")]
    [InlineData("""{"marketId":"1.2""")]
    [InlineData("")]
    public void TryRead_AnythingElse_LeavesItToTheReader(string json)
    {
        Assert.Null(MarketBookScanner.TryRead(Encoding.UTF8.GetBytes(json), includeTradedVolume: false));
    }

    [Fact]
    public void TryRead_ReferenceCases_AgreeWithTheReader()
    {
        Assert.SkipUnless(SharedData.Root is not null, SharedData.MissingReason);
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(SharedData.Path("data", "reference", "cases"), "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            var bookJson = Encoding.UTF8.GetBytes(document.RootElement.GetProperty("marketBook").GetRawText());
            scanned += AssertAgrees(bookJson) ? 1 : 0;
            var generated = Path.GetFileName(file).StartsWith("gen_", StringComparison.Ordinal);
            Assert.True(!generated || MarketBookScanner.TryRead(bookJson, false) is not null, $"{file} left to the reader");
        }

        Assert.True(scanned >= 100, $"only {scanned} reference books scanned");
    }

    [Fact]
    public void TryRead_BetfairSamples_AgreeWithTheReader()
    {
        Assert.SkipUnless(SharedData.Root is not null, SharedData.MissingReason);
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(SharedData.Path("data", "betfair", "rest"), "*.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(file));
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("result", out var result)
                || result.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var book in result.EnumerateArray())
            {
                scanned += AssertAgrees(Encoding.UTF8.GetBytes(book.GetRawText())) ? 1 : 0;
            }
        }

        Assert.True(scanned > 0);
    }

    // Random edits of valid books: whatever the scanner accepts, the reader reads to the same book.
    [Fact]
    public void TryRead_MutatedBooks_NeverDisagreeWithTheReader()
    {
        var random = new Random(20261129);
        byte[] inserts = [.. "\"',:{}[]-+.eE0123456789 \t\n\\/ntfu"u8, 0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF];
        var accepted = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var json = Sample.ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(json.Count);
                switch (random.Next(4))
                {
                    case 0: json.RemoveAt(at); break;
                    case 1: json.Insert(at, inserts[random.Next(inserts.Length)]); break;
                    case 2: json[at] = inserts[random.Next(inserts.Length)]; break;
                    default: json.InsertRange(at, json.GetRange(random.Next(json.Count - 20), random.Next(1, 20))); break;
                }
            }

            accepted += AssertAgrees([.. json]) ? 1 : 0;
        }

        Assert.True(accepted > 1_000, $"only {accepted} mutated books scanned");
    }

    // True when the scanner read the document (and then agreed with the reader).
    private static bool AssertAgrees(byte[] json)
    {
        var any = false;
        foreach (var traded in (bool[])[false, true])
        {
            if (MarketBookScanner.TryRead(json, traded) is not { } scanned)
            {
                continue;
            }

            MarketBook expected;
            try
            {
                expected = MarketBookReader.ReadWithoutScanner(json, "$", traded);
            }
            catch (Exception e) when (e is FormatException)
            {
                Assert.Fail($"scanned, but the reader rejects it ({e.Message}): {Encoding.UTF8.GetString(json)}");
                throw;
            }

            AssertSameBook(expected, scanned);
            any = true;
        }

        return any;
    }

    internal static void AssertSameBook(MarketBook expected, MarketBook actual)
    {
        Assert.Equal(expected.MarketId, actual.MarketId);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Inplay, actual.Inplay);
        AssertSameBits(expected.TotalMatched, actual.TotalMatched);
        Assert.Equal(expected.RunnerEntryCount, actual.RunnerEntryCount);
        Assert.Equal(expected.Runners.Count, actual.Runners.Count);
        for (var r = 0; r < expected.Runners.Count; r++)
        {
            var (e, a) = (expected.Runners[r], actual.Runners[r]);
            Assert.Equal(e.SelectionId, a.SelectionId);
            Assert.Equal(e.Status, a.Status);
            AssertSameBits(e.TotalMatched, a.TotalMatched);
            AssertSameLevels(e.Back, a.Back);
            AssertSameLevels(e.Lay, a.Lay);
            Assert.Equal(e.TradedVolume is null, a.TradedVolume is null);
            AssertSameLevels(e.TradedVolume ?? [], a.TradedVolume ?? []);
        }
    }

    private static void AssertSameLevels(IReadOnlyList<PriceSize> expected, IReadOnlyList<PriceSize> actual)
    {
        Assert.IsType<PriceSize[]>(actual);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSameBits(expected[i].Price, actual[i].Price);
            AssertSameBits(expected[i].Size, actual[i].Size);
        }
    }

    private static void AssertSameBits(double? expected, double? actual) =>
        Assert.Equal(expected is { } e ? BitConverter.DoubleToInt64Bits(e) : (long?)null, actual is { } a ? BitConverter.DoubleToInt64Bits(a) : (long?)null);
}
