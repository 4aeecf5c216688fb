using System.Text;
using NetBet.Core.Books;

namespace NetBet.Core.Tests.Books;

public sealed class MarketBookReaderTests
{
    internal static MarketBook Read(string json) => MarketBookReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Read_LevelsAsArraysAndObjects_ReadsBoth()
    {
        var book = Read("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[[2.5,10]],"availableToLay":[{"price":2.6,"size":3}]}}]}""");
        var runner = Assert.Single(book.Runners);
        Assert.Equal(new PriceSize(2.5, 10), runner.Back[0]);
        Assert.Equal(new PriceSize(2.6, 3), runner.Lay[0]);
    }

    [Fact]
    public void Read_NullLevelsAndValues_ReadAsZero()
    {
        var book = Read("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[null,{"price":null,"size":4}]}}]}""");
        Assert.Equal([new PriceSize(0, 0), new PriceSize(0, 4)], book.Runners[0].Back);
    }

    [Fact]
    public void Read_NullRunnerEntry_CountedButNotARunner()
    {
        var book = Read("""{"marketId":"1.2","runners":[{"selectionId":5},null]}""");
        Assert.Equal(2, book.RunnerEntryCount);
        Assert.Single(book.Runners);
    }

    [Theory]
    [InlineData("\"5\"")]
    [InlineData("0")]
    [InlineData("null")]
    public void Read_SelectionIdNotAPositiveNumber_HasNoSelectionId(string id)
    {
        var book = Read($$"""{"marketId":"1.2","runners":[{"selectionId":{{id}}}]}""");
        Assert.Null(book.Runners[0].SelectionId);
    }

    [Theory]
    [InlineData("""{"runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":"2.5","size":1}]}}]}""", "$.runners[0].ex.availableToBack[0].price", "expected a number, got a string")]
    [InlineData("""{"runners":[{"selectionId":5,"ex":{"availableToLay":[[2.5,true]]}}]}""", "$.runners[0].ex.availableToLay[0][1]", "expected a number, got a boolean")]
    [InlineData("""{"runners":[{"selectionId":5,"ex":{"availableToBack":[{"Price":2.5,"Size":1}]}}]}""", "$.runners[0].ex.availableToBack[0].Price", "level key \"Price\" must be written \"price\"")]
    [InlineData("""{"runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":2.5}]}}]}""", "$.runners[0].ex.availableToBack[0]", "level has no size")]
    [InlineData("""{"runners":[{"selectionId":1.5}]}""", "$.runners[0].selectionId", "expected an integer selection id, got a number")]
    [InlineData("""{"runners":[{"selectionId":5,"ex":{"availableToBack":[[2.5]]}}]}""", "$.runners[0].ex.availableToBack[0]", "got fewer elements")]
    [InlineData("""{"runners":[{"selectionId":5,"totalMatched":1e300}]}""", "$.runners[0].totalMatched", "out of range")]
    [InlineData("""{"runners":[5]}""", "$.runners[0]", "expected a runner object")]
    [InlineData("""{"marketId":7}""", "$.marketId", "expected a string")]
    [InlineData("""{"inplay":"yes"}""", "$.inplay", "expected true or false")]
    [InlineData("""{"totalMatched":"12"}""", "$.totalMatched", "expected a number, got a string")]
    [InlineData("""{"runners":{}}""", "$.runners", "expected an array of runners")]
    [InlineData("""{"runners":[null,{"selectionId":5,"status":3}]}""", "$.runners[1].status", "expected a string")]
    [InlineData("""{"runners":[{"selectionId":4},{"selectionId":5,"ex":[]}]}""", "$.runners[1].ex", "expected an object")]
    [InlineData("""{"runners":[{"selectionId":4},{"selectionId":5,"ex":{"availableToLay":{}}}]}""", "$.runners[1].ex.availableToLay", "expected an array of levels")]
    [InlineData("""{"runners":[{},{},{"ex":{"availableToLay":[[1.5,2],[2,3],{"price":3,"size":false}]}}]}""", "$.runners[2].ex.availableToLay[2].size", "expected a number, got a boolean")]
    [InlineData("""{"runners":[{"ex":{"availableToBack":[[1.5,2],[2,3,4]]}}]}""", "$.runners[0].ex.availableToBack[1]", "got more elements")]
    [InlineData("""{"runners":[{"ex":{"availableToBack":[[1.5,2],"x"]}}]}""", "$.runners[0].ex.availableToBack[1]", "expected a level object or [price, size] pair")]
    public void Read_UnsupportedInput_ErrorNamesWhatAndWhere(string json, string path, string what)
    {
        var error = Assert.Throws<MarketBookFormatException>(() => Read(json));
        Assert.Equal(path, error.JsonPath);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"price":2.5,"size":1,"Price":3}""", "Price", "price")]
    [InlineData("""{"Size":9,"price":2.5,"size":1}""", "Size", "size")]
    [InlineData("""{"price":2.5,"size":1,"PRICE":2.5}""", "PRICE", "price")]
    [InlineData("""{"price":2.5,"SiZe":1,"size":1}""", "SiZe", "size")]
    [InlineData("""{"price":2.5,"size":1,"\u0050rice":3}""", "Price", "price")]
    public void Read_LevelWithCaseVariantKeyBesideLowerCaseOnes_RejectedWithItsPath(string level, string key, string expected)
    {
        var json = $$$"""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":2,"size":1}],"availableToLay":[[2.1,4],{{{level}}}]}}]}""";

        var error = Assert.Throws<MarketBookFormatException>(() => Read(json));

        Assert.Equal($"$.runners[0].ex.availableToLay[1].{key}", error.JsonPath);
        Assert.Equal($"level key \"{key}\" must be written \"{expected}\" (keys are case-sensitive)", error.What);
    }

    [Fact]
    public void Read_LevelWithOtherKeys_IgnoresThem()
    {
        var book = Read("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":2.5,"size":1,"prices":7,"Sizes":1,"PR":2}]}}]}""");

        Assert.Equal(new PriceSize(2.5, 1), Assert.Single(book.Runners[0].Back));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"runners\":[")]
    [InlineData("[1,2]")]
    public void Read_NotAMarketBook_Throws(string json)
    {
        Assert.Throws<MarketBookFormatException>(() => Read(json));
    }
}

public sealed class MarketBookReaderNumberTests
{
    [Fact]
    public void Read_NumbersOfEveryShape_EqualTheGeneralParser()
    {
        var random = new Random(7);
        var texts = new List<string> { "0", "-0", "1.01", "1000", "0.001", "123456789012345", "123456789012.3456", "2.0600000000000001", "1e3", "1.5E-2", "-7.25", "99999999999999.99", "0.0000000000000001", "999999999999999.9", "1000000000000000", "123456789012345.6", "0.000001234567890123", "-0.5" };
        for (var i = 0; i < 2000; i++)
        {
            var digits = random.Next(0, 6);
            texts.Add(Math.Round(random.NextDouble() * Math.Pow(10, random.Next(0, 9)), digits).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var text in texts)
        {
            var book = MarketBookReader.Read(System.Text.Encoding.UTF8.GetBytes($$$"""{"runners":[{"selectionId":1,"ex":{"availableToBack":[[{{{text}}},1]]}}]}"""));
            var expected = double.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(expected.Equals(book.Runners[0].Back[0].Price), $"{text}: expected {expected:R}, got {book.Runners[0].Back[0].Price:R}");
        }
    }

    [Theory]
    [InlineData("/* c */ {\"marketId\":\"1.2\", // line\n \"runners\":[/* none */{\"selectionId\":5,\"ex\":{\"availableToBack\":[[2.5,10]] /* after */}}]} // end")]
    [InlineData("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[[2.5,10]]}}]}/**/""")]
    public void Read_CommentsAnywhere_AreSkipped(string json)
    {
        var book = MarketBookReaderTests.Read(json);
        Assert.Equal("1.2", book.MarketId);
        Assert.Equal(new PriceSize(2.5, 10), Assert.Single(book.Runners[0].Back));
    }

    [Theory]
    [InlineData("""{"marketId":"1.2" /* c */, "runners":[{"selectionId":5,"ex":{"availableToBack":[{"price":"2.5","size":1}]}}]}""", "$.runners[0].ex.availableToBack[0].price")]
    [InlineData("""{"runners":[{"selectionId":"x","status":1}] /* c */}""", "$.runners[0].status")]
    public void Read_CommentAndAnError_ReportsTheError(string json, string path)
    {
        Assert.Equal(path, Assert.Throws<MarketBookFormatException>(() => MarketBookReaderTests.Read(json)).JsonPath);
    }

    [Theory]
    [InlineData("""{"marketId":"1.2" /* c */, "runners":[}""")]
    [InlineData("""{"marketId":"1.2", "runners":[] /* unterminated""")]
    public void Read_CommentAndInvalidJson_IsInvalidJson(string json)
    {
        var error = Assert.Throws<MarketBookFormatException>(() => MarketBookReaderTests.Read(json));
        Assert.Equal("$", error.JsonPath);
        Assert.StartsWith("invalid JSON (", error.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EscapedPropertyNames_ReadLikePlainOnes()
    {
        var book = MarketBookReaderTests.Read("""{"m\u0061rketId":"1.2","st\u0061tus":"OPEN","runners":[{"selectionId":5,"\u0065x":{"availableToB\u0061ck":[{"pr\u0069ce":2.5,"size":3}]}}]}""");
        Assert.Equal("1.2", book.MarketId);
        Assert.Equal("OPEN", book.Status);
        Assert.Equal(new PriceSize(2.5, 3), Assert.Single(book.Runners[0].Back));
    }

    [Fact]
    public void Read_BooksInTurn_ShareNothingButARepeatedMarketId()
    {
        var first = MarketBookReaderTests.Read("""{"marketId":"1.2","runners":[{"selectionId":5,"ex":{"availableToBack":[[2.5,10],[2.4,1]]}},{"selectionId":6}]}""");
        var second = MarketBookReaderTests.Read("""{"marketId":"1.2","runners":[{"selectionId":7,"ex":{"availableToBack":[[3.5,1]]}}]}""");
        var third = MarketBookReaderTests.Read("""{"marketId":"1.3","runners":[]}""");
        Assert.Same(first.MarketId, second.MarketId);
        Assert.Equal("1.3", third.MarketId);
        Assert.Equal([new PriceSize(2.5, 10), new PriceSize(2.4, 1)], first.Runners[0].Back);
        Assert.Equal(2, first.Runners.Count);
        Assert.Equal(7, Assert.Single(second.Runners).SelectionId);
        Assert.Equal([new PriceSize(3.5, 1)], second.Runners[0].Back);
        Assert.Empty(third.Runners);
    }

    [Fact]
    public void Read_ManyRunnersAndLevels_GrowsPastTheScratchBuffers()
    {
        var levels = string.Join(',', Enumerable.Range(0, 100).Select(i => $"[{i + 2},{i}]"));
        var runners = string.Join(',', Enumerable.Range(1, 20).Select(i => $$$"""{"selectionId":{{{i}}},"ex":{"availableToLay":[{{{levels}}}]}}"""));
        var book = MarketBookReaderTests.Read($$"""{"marketId":"1.9","runners":[{{runners}}]}""");
        Assert.Equal(20, book.Runners.Count);
        Assert.All(book.Runners, r => Assert.Equal(100, r.Lay.Count));
        Assert.Equal(new PriceSize(101, 99), book.Runners[19].Lay[99]);
    }
}
