using NetBet.Core.Metrics;

namespace NetBet.Core.Tests;

public sealed class CoreDependencyTests
{
    [Fact]
    public void CoreAssembly_ReferencesOnlySystemAssemblies()
    {
        var references = typeof(MetricEngine).Assembly.GetReferencedAssemblies();
        Assert.All(references, r => Assert.True(
            r.Name is "netstandard" or "mscorlib" || r.Name!.StartsWith("System", StringComparison.Ordinal),
            $"NetBet.Core must stay pure but references {r.Name}"));
    }
}
