using Headroom.Gateway.Configuration;
using Headroom.Gateway.Federation;
using Headroom.PromQL.Testing;
using Headroom.Testing;
using Xunit.Abstractions;

namespace Headroom.Gateway.Tests;

/// <summary>
/// The required PromQL conformance scripts through the gateway's federation: 3 shards × 2 replicas, series split by
/// hash, the second replica of each shard missing a random 20% of its samples. Every eval must come out as it does
/// over plain in-memory storage.
/// </summary>
public sealed class FederatedConformanceTests(ITestOutputHelper output)
{

    [SkippableFact]
    public async Task Required_scripts_pass_through_three_shards_of_two_replicas_as_they_do_in_memory()
    {
        var folder = ConformanceSuite.Folder();
        Skip.If(folder is null, "../shared/conformance/promql/prometheus-3.14 is absent: the federated conformance run cannot be checked");
        int inMemoryPassed = 0, federatedPassed = 0, evals = 0;
        var differences = new List<string>();
        foreach (var name in ConformanceSuite.RequiredFiles)
        {
            var path = Path.Combine(folder!, name + ".test");
            var text = await File.ReadAllTextAsync(path);
            var plain = await ScriptRunner.RunAsync(text, path);
            var seed = 0;
            var federated = await ScriptRunner.RunAsync(text, path,
                storage => new FederatedSource(InMemoryTopology.Split(storage, shards: 3, replicas: 2, missing: 0.2, seed: ++seed), PartialResponse.Fail));
            output.WriteLine($"{name,-20} in memory {plain.Passed,4} passed; federated {federated.Passed,4} passed of {plain.Outcomes.Count}");
            inMemoryPassed += plain.Passed;
            federatedPassed += federated.Passed;
            evals += plain.Outcomes.Count;
            foreach (var (a, b) in plain.Outcomes.Zip(federated.Outcomes))
            {
                if (a.Status != b.Status)
                {
                    differences.Add($"{b.File}:{b.Line}: {b.Expression}: {a.Status} in memory, {b.Status} federated\n{b.Diff}");
                }
            }
        }
        output.WriteLine($"total: in memory {inMemoryPassed}, federated {federatedPassed} of {evals}");
        Assert.True(evals > 1000, $"only {evals} evals ran");
        Assert.True(differences.Count == 0, string.Join("\n\n", differences.Take(20)));
        Assert.Equal(inMemoryPassed, federatedPassed);
    }
}
