using NetBet.Core.Metrics;

namespace NetBet.Core.Tests.Metrics;

public sealed class SkipReasonsTests
{
    [Fact]
    public void Describe_EveryReason_OneDistinctLowerCaseText()
    {
        var texts = SkipReasons.All.Select(r => r.Describe()).ToList();

        Assert.Equal(Enum.GetValues<SkipReason>().Length, texts.Count);
        Assert.Equal(texts.Count, texts.Distinct(StringComparer.Ordinal).Count());
        Assert.All(SkipReasons.All, r => Assert.NotEqual(r.ToString(), r.Describe()));
        Assert.All(texts, t => Assert.Equal(t.ToLowerInvariant(), t));
    }

    [Theory]
    [InlineData(SkipReason.RolesIncomplete, SkipReason.NoRolesForMarket)]
    [InlineData(SkipReason.NoMarketId, SkipReason.NoMarketId)]
    [InlineData(SkipReason.FewerThanThreeRunners, SkipReason.FewerThanThreeRunners)]
    [InlineData(SkipReason.RoleRunnerMissing, SkipReason.RoleRunnerMissing)]
    public void ForStoredSnapshot_EngineReason_StorageReason(SkipReason engine, SkipReason stored)
    {
        Assert.Equal(stored, engine.ForStoredSnapshot());
    }
}
