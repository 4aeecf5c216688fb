using System.Text;
using System.Text.Json;
using NetBet.Core.Books;

namespace NetBet.Core.Tests.Books;

public sealed class RunnerRolesTests
{
    [Theory]
    [InlineData("HOME", "AWAY", "DRAW")]
    [InlineData("home", "away", "draw")]
    [InlineData("Home", "Away", "Draw")]
    [InlineData("hOmE", "AWAY", "draw")]
    public void FromRoleNames_AnyLetterCase_MapsTheRoles(string home, string away, string draw)
    {
        var roles = RunnerRoles.FromRoleNames([new(11, away), new(12, draw), new(10, home)]);

        Assert.Equal(new RunnerRoles(10, 11, 12), roles);
    }

    [Fact]
    public void FromRoleNames_OtherNames_Ignored()
    {
        var roles = RunnerRoles.FromRoleNames([new(10, "home"), new(11, "Away"), new(12, "DRAW"), new(13, "Field"), new(14, "homes"), new(15, "")]);

        Assert.Equal(new RunnerRoles(10, 11, 12), roles);
    }

    [Fact]
    public void FromRoleNames_SameRoleTwiceInDifferentCase_Null()
    {
        Assert.Null(RunnerRoles.FromRoleNames([new(10, "home"), new(11, "HOME"), new(12, "away"), new(13, "draw")]));
    }

    [Fact]
    public void FromRoleNames_RoleMissing_Null()
    {
        Assert.Null(RunnerRoles.FromRoleNames([new(10, "home"), new(11, "away"), new(12, "The Draw")]));
    }

    [Theory]
    [InlineData("HOME", Outcome.Home)]
    [InlineData("away", Outcome.Away)]
    [InlineData("Draw", Outcome.Draw)]
    [InlineData("visitor", null)]
    [InlineData(null, null)]
    public void ParseRole_Name_OutcomeOrNull(string? name, Outcome? expected)
    {
        Assert.Equal(expected, RunnerRoles.ParseRole(name));
    }
}

public sealed class SnapshotDocumentReaderTests
{
    private static SnapshotDocument Read(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        return SnapshotDocumentReader.Read(ref reader);
    }

    private const string Book = """{"marketId":"1.2","runners":[{"selectionId":10},{"selectionId":11},{"selectionId":12}]}""";

    [Theory]
    [InlineData("HOME", "AWAY", "DRAW")]
    [InlineData("home", "away", "draw")]
    [InlineData("Home", "Away", "Draw")]
    public void Read_RoleNamesInAnyCase_SameRoles(string home, string away, string draw)
    {
        var document = Read($$$"""{"marketBook":{{{Book}}},"roles":{"10":"{{{home}}}","11":"{{{away}}}","12":"{{{draw}}}","13":"Other"}}""");

        Assert.Equal(new RunnerRoles(10, 11, 12), document.Roles);
    }

    [Fact]
    public void Read_RoleNotAString_ErrorNamesTheKey()
    {
        var error = Assert.Throws<MarketBookFormatException>(() => Read($$$"""{"marketBook":{{{Book}}},"roles":{"10":1}}"""));

        Assert.Equal("$.roles[\"10\"]", error.JsonPath);
    }
}
