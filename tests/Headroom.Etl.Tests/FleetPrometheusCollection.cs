using Headroom.Testing;

namespace Headroom.Etl.Tests;

[CollectionDefinition(Name)]
public sealed class FleetPrometheusCollection : ICollectionFixture<FleetPrometheus>
{
    public const string Name = "fleet prometheus";
}
