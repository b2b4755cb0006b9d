using System.Text.RegularExpressions;
using Headroom.Prometheus.Configuration;
using YamlDotNet.RepresentationModel;

namespace Headroom.CloudWatch.Config;

/// <summary>Reads the service table (<c>Config/services.yml</c>, an embedded resource) into <see cref="ServiceType"/>s.</summary>
internal static class ServiceTable
{
    internal const string ResourceName = "Headroom.CloudWatch.Config.services.yml";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(1);

    /// <summary>An example ARN of the table and the dimensions it must give.</summary>
    internal sealed record Example(string Namespace, string Arn, IReadOnlyDictionary<string, string> Dimensions);

    /// <summary>The embedded table, read once: about 50 ms of YAML parsing that every lookup would otherwise repeat.</summary>
    private static readonly Lazy<(IReadOnlyList<ServiceType> Services, IReadOnlyList<Example> Examples)> s_table = new(() => Read(Text()));

    internal static IReadOnlyList<ServiceType> Load() => s_table.Value.Services;

    /// <summary>The examples the table carries, for its tests.</summary>
    internal static IReadOnlyList<Example> Examples() => s_table.Value.Examples;

    internal static string Text()
    {
        using var stream = typeof(ServiceTable).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the embedded service table {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static (IReadOnlyList<ServiceType> Services, IReadOnlyList<Example> Examples) Read(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var services = new List<ServiceType>();
        var examples = new List<Example>();
        foreach (var entry in (YamlSequenceNode)stream.Documents[0].RootNode)
        {
            var map = new YamlMap(entry, $"services[{services.Count}]");
            var ns = map.RequiredString("namespace");
            var rules = map.Maps("arns").Select(r =>
            {
                var pattern = new Regex(r.Map.RequiredString("pattern"), RegexOptions.CultureInvariant, s_timeout);
                var dimensions = r.Map.Strings("dimensions") ?? [];
                if (pattern.GetGroupNumbers().Length - 1 != dimensions.Count)
                    throw new InvalidOperationException($"{ns}: pattern '{pattern}' has {pattern.GetGroupNumbers().Length - 1} groups for {dimensions.Count} dimensions");
                var suffix = r.Map.String("metricSuffix") is { } s ? new Regex($"^(?<base>.+?)(?:{s})$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, s_timeout) : null;
                var rule = new ArnRule(pattern, dimensions, r.Map.Bool("ignoreCase") ?? false, suffix);
                r.Map.EnsureAllKeysKnown();
                return rule;
            }).ToList();
            foreach (var (example, _) in map.Maps("examples"))
            {
                var dims = new Dictionary<string, string>(StringComparer.Ordinal);
                if (example.Get("dimensions") is YamlMappingNode d)
                {
                    foreach (var (k, v) in d.Children)
                        dims[((YamlScalarNode)k).Value ?? ""] = ((YamlScalarNode)v).Value ?? "";
                }
                examples.Add(new Example(ns, example.RequiredString("arn"), dims));
                example.EnsureAllKeysKnown();
            }
            services.Add(new ServiceType(ns, map.RequiredString("alias"), map.Strings("resourceTypes") ?? [], rules));
            map.EnsureAllKeysKnown();
        }
        return (services, examples);
    }
}
