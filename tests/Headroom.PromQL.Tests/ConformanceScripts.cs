using System.Text.RegularExpressions;

namespace Headroom.PromQL.Tests;

/// <summary>One <c>eval</c> of a Prometheus test script.</summary>
internal sealed record ScriptEval(string File, int Line, string Expression, bool ExpectFail, string? FailMessage)
{
    public override string ToString() => $"{File}:{Line}: {Expression}";
}

/// <summary>Reads the eval expressions of the upstream conformance scripts kept beside the repository.</summary>
internal static partial class ConformanceScripts
{
    /// <summary>Scripts whose syntax is experimental in Prometheus; the parser need not accept them.</summary>
    public static readonly string[] ExperimentalFiles =
        ["duration_expression", "extended_vectors", "fill-modifier", "info", "type_and_unit", "start_timestamps"];

    [GeneratedRegex(@"^(eval(?:_fail|_ordered|_warn|_info)?)\s+(?:instant\s+at\s+\S+|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+)\s+(.*)$")]
    private static partial Regex EvalLine();

    /// <summary>The folder of Prometheus 3.14's scripts, or null when the shared folder is absent.</summary>
    public static string? Folder() => Headroom.Testing.ConformanceSuite.Folder();

    /// <summary>
    /// The folder of the scripts; when the shared folder is absent the calling test is reported skipped with the
    /// reason (never green, never failed: the scripts are an optional input of a checkout).
    /// </summary>
    public static string RequireFolder(string what)
    {
        var folder = Folder();
        Skip.If(folder is null, $"../shared/conformance/promql/prometheus-3.14 is absent: {what} not checked");
        return folder!;
    }

    public static bool IsExperimental(string file) => ExperimentalFiles.Contains(Path.GetFileNameWithoutExtension(file));

    public static List<ScriptEval> Read(string folder)
    {
        var evals = new List<ScriptEval>();
        foreach (var path in Directory.GetFiles(folder, "*.test").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(path);
            for (var i = 0; i < lines.Length; i++)
            {
                var match = EvalLine().Match(lines[i]);
                if (!match.Success)
                {
                    continue;
                }
                var expectFail = match.Groups[1].Value == "eval_fail";
                string? message = null;
                for (var j = i + 1; j < lines.Length && lines[j].Length > 0 && char.IsWhiteSpace(lines[j][0]); j++)
                {
                    var expect = lines[j].Trim();
                    if (expect.StartsWith("expect fail", StringComparison.Ordinal))
                    {
                        expectFail = true;
                        var colon = expect.IndexOf(':', StringComparison.Ordinal);
                        message = colon < 0 ? null : expect[(colon + 1)..].Trim();
                    }
                }
                evals.Add(new ScriptEval(Path.GetFileName(path), i + 1, match.Groups[2].Value.Trim(), expectFail, message));
            }
        }
        return evals;
    }
}
