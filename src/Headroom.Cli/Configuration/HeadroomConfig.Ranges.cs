using System.Globalization;
using System.Net;
using Headroom.PromQL.Syntax;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Headroom.Cli.Configuration;

/// <summary>
/// The ranges of headroom.yaml's values, checked when the file is read: a value out of range would otherwise pass
/// the YAML reader and fail later, in the middle of a run, as a stack trace without the file (a timeout of 0s, a
/// concurrency of 0) or as an error that does not say where the value came from.
/// </summary>
internal sealed partial class HeadroomConfig
{
    /// <summary>The first value out of range, in file order, as "line: problem; the fix"; null when all are in range.</summary>
    private static string? FirstProblem(HeadroomConfig config, string text)
    {
        var problems = config.Problems().ToList();
        if (problems.Count == 0)
            return null;
        var lines = KeyLines(text);
        var (key, problem) = problems.MinBy(p => lines.GetValueOrDefault(p.Key, long.MaxValue));
        var line = lines.TryGetValue(key, out var l) ? l.ToString(CultureInfo.InvariantCulture) : "?";
        return $"{line}: {problem}; change it or leave it out for the default";
    }

    /// <summary>Each value out of range: its key as written in the file (<c>etl.concurrency</c>) and a message naming it.</summary>
    private IEnumerable<(string Key, string Problem)> Problems()
    {
        // The bounds are those of the options the values become: ExtractionOptions, EtlOptions, ValidationOptions,
        // HttpClient.Timeout (at most 24.8 days) and serve --interval's range.
        var checks = new (string Key, string? Problem)[]
        {
            ("source.timeout", DurationProblem("source.timeout", Source.Timeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1))),
            ("etl.first_run_lookback", DurationProblem("etl.first_run_lookback", Etl.FirstRunLookback, TimeSpan.FromHours(1), TimeSpan.FromDays(100 * 365))),
            ("etl.safety_delay", DurationProblem("etl.safety_delay", Etl.SafetyDelay, TimeSpan.Zero, TimeSpan.FromDays(7))),
            ("etl.window_hours", NumberProblem("etl.window_hours", Etl.WindowHours, 1, 24 * 31)),
            ("etl.max_rejected_ratio", NumberProblem("etl.max_rejected_ratio", Etl.MaxRejectedRatio, 0, 1)),
            ("etl.min_completeness", NumberProblem("etl.min_completeness", Etl.MinCompleteness, 0, 1)),
            ("etl.concurrency", NumberProblem("etl.concurrency", Etl.Concurrency, 1, 64)),
            ("etl.chunk_hours", NumberProblem("etl.chunk_hours", Etl.ChunkHours, 1, 10_000)),
            // A recorded series has 1h / rule_interval points an hour: 0 divides by zero, above 1h none is expected.
            ("etl.rule_interval", DurationProblem("etl.rule_interval", Etl.RuleInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))),
            ("serve.interval", DurationProblem("serve.interval", Serve.Interval, TimeSpan.FromSeconds(10), SharedOptions.LongestWait)),
            ("serve.listen", Serve.Listen is { } listen && !IPEndPoint.TryParse(listen, out _) ? $"serve.listen: '{listen}' is not host:port, e.g. 127.0.0.1:9100" : null),
        };
        return checks.Where(static c => c.Problem is not null).Select(static c => (c.Key, c.Problem!));
    }

    private static string? DurationProblem(string key, string? text, TimeSpan minimum, TimeSpan maximum)
    {
        if (text is null)
            return null;
        if (!Durations.TryParseSetting(text, out var value, out var error))
            return $"{key}: {error}";
        return value < minimum || value > maximum ? $"{key} must be between {Durations.Format(minimum)} and {Durations.Format(maximum)}, got {text}" : null;
    }

    private static string? NumberProblem(string key, double? value, double minimum, double maximum) =>
        value is { } v && !(v >= minimum && v <= maximum)
            ? string.Create(CultureInfo.InvariantCulture, $"{key} must be between {minimum} and {maximum}, got {v}")
            : null;

    /// <summary>The dotted key and text of the (first) scalar value on <paramref name="line"/>, to name the key a value that did not convert belongs to.</summary>
    private static (string Key, string Value)? ScalarAt(string text, long line)
    {
        foreach (var (key, node) in Values(text))
        {
            if (node is YamlScalarNode { Value: { } value } && node.Start.Line == line)
                return (key, value);
        }
        return null;
    }

    /// <summary>The line of each value in the file, by its dotted key.</summary>
    private static Dictionary<string, long> KeyLines(string text)
    {
        var lines = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, node) in Values(text))
            lines[key] = node.Start.Line;
        return lines;
    }

    /// <summary>Every value of the file's mappings with its dotted key, in file order; none when the text is not YAML.</summary>
    private static List<(string Key, YamlNode Node)> Values(string text)
    {
        var values = new List<(string, YamlNode)>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException)
        {
            return values;
        }
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root)
            Collect(root, "", values);
        return values;
    }

    private static void Collect(YamlMappingNode mapping, string prefix, List<(string, YamlNode)> values)
    {
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
                continue;
            values.Add((prefix + name, value));
            if (value is YamlMappingNode child)
                Collect(child, prefix + name + ".", values);
        }
    }
}
