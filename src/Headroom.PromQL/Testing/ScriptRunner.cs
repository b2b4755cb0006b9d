using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Storage;
using Headroom.PromQL.Syntax;

namespace Headroom.PromQL.Testing;

/// <summary>
/// Runs PromQL test scripts (<c>load</c>, <c>clear</c>, <c>eval</c> with expected results, as in Prometheus'
/// <c>promqltest</c>) against in-memory storage and reports each eval as passed, failed (with a diff) or skipped.
/// </summary>
public static partial class ScriptRunner
{
    /// <summary>Relative tolerance for float comparisons.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>Runs the script at <paramref name="path"/>.</summary>
    public static ScriptResult RunFile(string path, EngineOptions? options = null) =>
        RunFileAsync(path, options).GetAwaiter().GetResult();

    /// <summary>Runs the script at <paramref name="path"/>.</summary>
    public static async Task<ScriptResult> RunFileAsync(string path, EngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return await RunAsync(text, path, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs script <paramref name="text"/>; <paramref name="path"/> names it in the outcomes.</summary>
    public static Task<ScriptResult> RunAsync(string text, string path, EngineOptions? options = null, CancellationToken cancellationToken = default) =>
        RunAsync(text, path, null, options, cancellationToken);

    /// <summary>
    /// Runs script <paramref name="text"/> with the engine reading through <paramref name="sourceFactory"/>: the script
    /// loads into in-memory storage, and before each <c>eval</c> the factory turns what is loaded into the source the
    /// engine queries (a federation of shards and replicas, say). Null queries the in-memory storage itself.
    /// </summary>
    public static async Task<ScriptResult> RunAsync(string text, string path, Func<InMemoryStorage, ISeriesSource>? sourceFactory,
        EngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var file = System.IO.Path.GetFileName(path);
        var storage = new InMemoryStorage();
        QueryEngine? engine = null;
        var outcomes = new List<EvalOutcome>();
        var errors = new List<string>();
        var histogramSeries = new List<Labels>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || char.IsWhiteSpace(line[0]) || line.StartsWith('#'))
            {
                continue;
            }
            var body = Block(lines, i);
            if (line.StartsWith("clear", StringComparison.Ordinal))
            {
                storage.Clear();
                histogramSeries.Clear();
                engine = null;
            }
            else if (line.StartsWith("load", StringComparison.Ordinal))
            {
                engine = null;
                try
                {
                    Load(storage, line, body.Select(b => b.Text), histogramSeries);
                }
                catch (Exception e) when (e is FormatException or ParseException or ArgumentException)
                {
                    errors.Add($"{file}:{i + 1}: {e.Message}");
                }
            }
            else if (line.StartsWith("eval", StringComparison.Ordinal))
            {
                engine ??= new QueryEngine(sourceFactory is null ? storage : sourceFactory(storage), options);
                outcomes.Add(await EvalAsync(engine, file, i + 1, line, body, histogramSeries, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                errors.Add($"{file}:{i + 1}: unknown command: {line}");
            }
            i += body.Count;
        }
        return new ScriptResult(path, outcomes, errors);
    }

    /// <summary>The indented lines after a command, up to the next command; comments dropped.</summary>
    private static List<(int Line, string Text)> Block(string[] lines, int command)
    {
        var block = new List<(int, string)>();
        var last = command;
        for (var j = command + 1; j < lines.Length; j++)
        {
            var l = lines[j];
            if (l.Length > 0 && !char.IsWhiteSpace(l[0]) && !l.StartsWith('#'))
            {
                break;
            }
            last = j;
        }
        for (var j = command + 1; j <= last; j++)
        {
            block.Add((j + 1, lines[j]));
        }
        return block;
    }

    /// <summary>Loads float samples; series with native histogram samples are only noted in <paramref name="histogramSeries"/>.</summary>
    private static void Load(InMemoryStorage storage, string command, IEnumerable<string> body, List<Labels> histogramSeries)
    {
        var parts = command.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new FormatException("load needs an interval");
        }
        var interval = (long)ParseDuration(parts[1]).TotalMilliseconds;
        var loaded = new List<(Labels Labels, List<SeriesValues.Value> Values)>();
        foreach (var raw in body)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var (selector, valuesText) = SeriesValues.SplitSeries(line);
            var labels = ParseLabels(selector);
            var values = SeriesValues.Parse(valuesText);
            loaded.Add((labels, values));
            for (var k = 0; k < values.Count; k++)
            {
                var v = values[k];
                if (v.Histogram)
                {
                    if (!histogramSeries.Contains(labels))
                    {
                        histogramSeries.Add(labels);
                    }
                    continue;
                }
                if (!v.Missing)
                {
                    storage.Append(labels, k * interval, v.F);
                }
            }
        }
        if (parts[0] == "load_with_nhcb")
        {
            NativeHistogramsFromBuckets.Load(storage, loaded, interval);
        }
    }

    /// <summary>Whether any selector of <paramref name="query"/> selects a series loaded with native histogram samples.</summary>
    private static bool TouchesHistograms(string query, List<Labels> histogramSeries)
    {
        if (histogramSeries.Count == 0)
        {
            return false;
        }
        Expr expr;
        try
        {
            expr = Parser.Parse(query);
        }
        catch (ParseException)
        {
            return false;
        }
        return Selectors(expr).Any(vs => histogramSeries.Any(labels => vs.Matchers.All(m => m.Matches(labels.Get(m.Name)))));
    }

    private static IEnumerable<VectorSelector> Selectors(Expr expr) => expr switch
    {
        VectorSelector vs => [vs],
        MatrixSelector ms => [ms.Selector],
        SubqueryExpr sq => Selectors(sq.Inner),
        ParenExpr p => Selectors(p.Inner),
        UnaryExpr u => Selectors(u.Operand),
        BinaryExpr b => Selectors(b.Left).Concat(Selectors(b.Right)),
        AggregateExpr a => Selectors(a.Inner).Concat(a.Parameter is null ? [] : Selectors(a.Parameter)),
        Call c => c.Arguments.SelectMany(Selectors),
        _ => [],
    };

    /// <summary>Labels of a series description such as <c>up{job="a"}</c> or <c>{}</c>.</summary>
    internal static Labels ParseLabels(string selector)
    {
        if (selector.Replace(" ", "", StringComparison.Ordinal) == "{}")
        {
            return Labels.Empty;
        }
        var expr = Parser.Parse(selector);
        if (expr is not VectorSelector vs)
        {
            throw new FormatException($"not a series description: {selector}");
        }
        return Labels.From(vs.Matchers.Where(m => m.Type == LabelMatchType.Equal).Select(m => new Label(m.Name, m.Value)));
    }

    internal static TimeSpan ParseDuration(string text)
    {
        if (Durations.TryParse(text, out var duration, out _))
        {
            return duration;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        }
        throw new FormatException($"invalid duration \"{text}\"");
    }

    [GeneratedRegex(@"^(eval(?:_fail|_ordered|_warn|_info)?)\s+(?:instant\s+at\s+(\S+)|range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))\s+(.*)$")]
    private static partial Regex EvalCommand();

    [GeneratedRegex(@"^expect\s+range\s+vector\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s*$")]
    private static partial Regex ExpectRange();

    [GeneratedRegex(@"\s*\(\d+:\d+\)$")]
    private static partial Regex PositionSuffix();
}
