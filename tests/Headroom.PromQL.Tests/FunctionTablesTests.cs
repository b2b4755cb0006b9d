using Headroom.PromQL.Engine;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Tests;

public sealed class FunctionTablesTests
{
    [Fact]
    public void SignaturesAndImplementationsListTheSameFunctions()
    {
        var signatures = FunctionSignatures.All.Keys.Order(StringComparer.Ordinal).ToArray();
        var implementations = Functions.All.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(signatures, implementations);
    }
}
