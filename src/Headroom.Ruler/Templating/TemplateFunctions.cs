using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.PromQL;

namespace Headroom.Ruler.Templating;

/// <summary>
/// The functions alert templates may call: Prometheus' own (<c>humanize</c>, <c>humanize1024</c>,
/// <c>humanizePercentage</c>, <c>humanizeDuration</c>, <c>humanizeTimestamp</c>, <c>title</c>, <c>toUpper</c>,
/// <c>toLower</c>, <c>stripPort</c>, <c>match</c>, <c>reReplaceAll</c>) and Go's built-ins that rule files use
/// (<c>printf</c>, <c>print</c>, <c>eq</c>, <c>ne</c>, <c>lt</c>, <c>le</c>, <c>gt</c>, <c>ge</c>, <c>and</c>,
/// <c>or</c>, <c>not</c>, <c>len</c>, <c>index</c>).
/// </summary>
internal static class TemplateFunctions
{
    private static readonly Dictionary<string, Func<IReadOnlyList<object?>, object?>> s_functions = new(StringComparer.Ordinal)
    {
        ["humanize"] = a => Humanize(Number(One(a, "humanize"), "humanize")),
        ["humanize1024"] = a => Humanize1024(Number(One(a, "humanize1024"), "humanize1024")),
        ["humanizePercentage"] = a => GoFormat.G(Number(One(a, "humanizePercentage"), "humanizePercentage") * 100, 4) + "%",
        ["humanizeDuration"] = a => HumanizeDuration(Number(One(a, "humanizeDuration"), "humanizeDuration")),
        ["humanizeTimestamp"] = a => HumanizeTimestamp(Number(One(a, "humanizeTimestamp"), "humanizeTimestamp")),
        ["title"] = a => Title(Text(One(a, "title"), "title")),
        ["toUpper"] = a => Text(One(a, "toUpper"), "toUpper").ToUpperInvariant(),
        ["toLower"] = a => Text(One(a, "toLower"), "toLower").ToLowerInvariant(),
        ["stripPort"] = a => StripPort(Text(One(a, "stripPort"), "stripPort")),
        ["match"] = a => Arity(a, 2, "match") && Regex.IsMatch(Text(a[1], "match"), Text(a[0], "match"), RegexOptions.None, TimeSpan.FromSeconds(1)),
        ["reReplaceAll"] = a => Arity(a, 3, "reReplaceAll")
            ? Regex.Replace(Text(a[2], "reReplaceAll"), Text(a[0], "reReplaceAll"), Text(a[1], "reReplaceAll"), RegexOptions.None, TimeSpan.FromSeconds(1))
            : null,
        ["printf"] = a => a.Count == 0 ? throw new TemplateException("printf needs a format") : GoFormat.Printf(Text(a[0], "printf"), [.. a.Skip(1)]),
        ["print"] = a => string.Concat(a.Select(TemplateExecution.Print)),
        ["eq"] = a => a.Count >= 2 ? a.Skip(1).Any(b => Compare(a[0], b, "eq") == 0) : throw new TemplateException("eq needs two arguments"),
        ["ne"] = a => Arity(a, 2, "ne") && Compare(a[0], a[1], "ne") != 0,
        ["lt"] = a => Arity(a, 2, "lt") && Compare(a[0], a[1], "lt") < 0,
        ["le"] = a => Arity(a, 2, "le") && Compare(a[0], a[1], "le") <= 0,
        ["gt"] = a => Arity(a, 2, "gt") && Compare(a[0], a[1], "gt") > 0,
        ["ge"] = a => Arity(a, 2, "ge") && Compare(a[0], a[1], "ge") >= 0,
        ["and"] = a => a.Count == 0 ? throw new TemplateException("and needs arguments") : a.FirstOrDefault(v => !TemplateExecution.IsTrue(v), a[^1]),
        ["or"] = a => a.Count == 0 ? throw new TemplateException("or needs arguments") : a.FirstOrDefault(TemplateExecution.IsTrue, a[^1]),
        ["not"] = a => !TemplateExecution.IsTrue(One(a, "not")),
        ["len"] = a => One(a, "len") switch
        {
            string s => (double)s.Length,
            Labels l => (double)l.Count,
            var v => throw new TemplateException($"len of {TemplateExecution.Print(v)}: not a string or map"),
        },
        ["index"] = a => Arity(a, 2, "index") && a[0] is Labels labels ? labels.Get(Text(a[1], "index"))
            : throw new TemplateException("index takes a map (such as $labels) and a key"),
    };

    /// <summary>
    /// How many arguments each function takes, least and most (a piped value counts as the last one): checked when a
    /// template is parsed, so that <c>{{ humanize }}</c> is refused by <c>headroom rules check</c> and at load, not at
    /// the first alert. Lists the same functions as the table above (a test checks it).
    /// </summary>
    private static readonly Dictionary<string, (int Least, int Most)> s_arity = new(StringComparer.Ordinal)
    {
        ["humanize"] = (1, 1), ["humanize1024"] = (1, 1), ["humanizePercentage"] = (1, 1), ["humanizeDuration"] = (1, 1),
        ["humanizeTimestamp"] = (1, 1), ["title"] = (1, 1), ["toUpper"] = (1, 1), ["toLower"] = (1, 1), ["stripPort"] = (1, 1),
        ["match"] = (2, 2), ["reReplaceAll"] = (3, 3), ["printf"] = (1, int.MaxValue), ["print"] = (0, int.MaxValue),
        ["eq"] = (2, int.MaxValue), ["ne"] = (2, 2), ["lt"] = (2, 2), ["le"] = (2, 2), ["gt"] = (2, 2), ["ge"] = (2, 2),
        ["and"] = (1, int.MaxValue), ["or"] = (1, int.MaxValue), ["not"] = (1, 1), ["len"] = (1, 1), ["index"] = (2, 2),
    };

    /// <summary>The functions whose argument counts are known, sorted (the same as <see cref="Names"/>).</summary>
    internal static IEnumerable<string> NamesWithArity => s_arity.Keys.Order(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="name"/> takes <paramref name="count"/> arguments, else what is wrong, as Go says it.</summary>
    public static string? CheckArity(string name, int count)
    {
        var (least, most) = s_arity[name];
        if (count >= least && count <= most)
            return null;
        var want = least == most ? $"{least}" : most == int.MaxValue ? $"at least {least}" : $"{least} to {most}";
        return $"wrong number of args for {name}: want {want} got {count}";
    }

    /// <summary>The known names, sorted.</summary>
    public static IEnumerable<string> Names => s_functions.Keys.Order(StringComparer.Ordinal);

    public static bool Exists(string name) => s_functions.ContainsKey(name);

    public static object? Call(string name, IReadOnlyList<object?> arguments) => s_functions[name](arguments);

    /// <summary>SI prefixes: 1234 → 1.234k, 0.001 → 1m, with 4 significant digits.</summary>
    public static string Humanize(double v)
    {
        if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
            return GoFormat.G(v, 4);
        var prefix = "";
        if (Math.Abs(v) >= 1)
        {
            foreach (var p in new[] { "k", "M", "G", "T", "P", "E", "Z", "Y" })
            {
                if (Math.Abs(v) < 1000)
                    break;
                prefix = p;
                v /= 1000;
            }
            return GoFormat.G(v, 4) + prefix;
        }
        foreach (var p in new[] { "m", "u", "n", "p", "f", "a", "z", "y" })
        {
            if (Math.Abs(v) >= 1)
                break;
            prefix = p;
            v *= 1000;
        }
        return GoFormat.G(v, 4) + prefix;
    }

    /// <summary>Binary prefixes: 2048 → 2ki.</summary>
    public static string Humanize1024(double v)
    {
        if (Math.Abs(v) <= 1 || double.IsNaN(v) || double.IsInfinity(v))
            return GoFormat.G(v, 4);
        var prefix = "";
        foreach (var p in new[] { "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi" })
        {
            if (Math.Abs(v) < 1024)
                break;
            prefix = p;
            v /= 1024;
        }
        return GoFormat.G(v, 4) + prefix;
    }

    /// <summary>Seconds as <c>1d 2h 3m 4s</c>; under a minute with 4 significant digits, and ms/us/ns below a second.</summary>
    public static string HumanizeDuration(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v))
            return GoFormat.G(v, 4);
        if (v == 0)
            return GoFormat.G(v, 4) + "s";
        if (Math.Abs(v) >= 1)
        {
            var sign = v < 0 ? "-" : "";
            v = Math.Abs(v);
            var whole = (long)v;
            var (seconds, minutes, hours, days) = (whole % 60, whole / 60 % 60, whole / 3600 % 24, whole / 86400);
            var invariant = CultureInfo.InvariantCulture;
            if (days != 0)
                return string.Create(invariant, $"{sign}{days}d {hours}h {minutes}m {seconds}s");
            if (hours != 0)
                return string.Create(invariant, $"{sign}{hours}h {minutes}m {seconds}s");
            if (minutes != 0)
                return string.Create(invariant, $"{sign}{minutes}m {seconds}s");
            return sign + GoFormat.G(v, 4) + "s";
        }
        var prefix = "";
        foreach (var p in new[] { "m", "u", "n", "p", "f", "a", "z", "y" })
        {
            if (Math.Abs(v) >= 1)
                break;
            prefix = p;
            v *= 1000;
        }
        return GoFormat.G(v, 4) + prefix + "s";
    }

    /// <summary>Unix seconds as Go prints a UTC time: <c>2026-11-30 01:02:03.5 +0000 UTC</c>.</summary>
    public static string HumanizeTimestamp(double v)
    {
        if (double.IsNaN(v) || double.IsInfinity(v) || Math.Abs(v) > 253402300799)
            return GoFormat.G(v, 4);
        var time = DateTime.UnixEpoch.AddTicks((long)Math.Round(v * TimeSpan.TicksPerSecond));
        var fraction = time.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + " +0000 UTC";
    }

    /// <summary>Go's <c>strings.Title</c>: the first letter of each word upper-cased, the rest left as it is.</summary>
    private static string Title(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i == 0 || !char.IsLetterOrDigit(chars[i - 1]) && chars[i - 1] != '_' && chars[i - 1] != '\'')
                chars[i] = char.ToUpperInvariant(chars[i]);
        }
        return new string(chars);
    }

    private static string StripPort(string hostPort)
    {
        if (hostPort.StartsWith('[') && hostPort.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
            return hostPort[1..close];
        var colon = hostPort.LastIndexOf(':');
        return colon < 0 || hostPort.IndexOf(':', StringComparison.Ordinal) != colon ? hostPort : hostPort[..colon];
    }

    private static object? One(IReadOnlyList<object?> arguments, string name) =>
        arguments.Count == 1 ? arguments[0] : throw new TemplateException($"wrong number of args for {name}: want 1 got {arguments.Count}");

    private static bool Arity(IReadOnlyList<object?> arguments, int count, string name) =>
        arguments.Count == count ? true : throw new TemplateException($"wrong number of args for {name}: want {count} got {arguments.Count}");

    /// <summary>A number, or a string holding one (Prometheus' functions accept both).</summary>
    private static double Number(object? value, string name) => value switch
    {
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        string s when s is "NaN" or "+Inf" or "Inf" or "-Inf" => s == "NaN" ? double.NaN : s == "-Inf" ? double.NegativeInfinity : double.PositiveInfinity,
        _ => throw new TemplateException($"{name}: cannot convert {TemplateExecution.Print(value)} to a number"),
    };

    private static string Text(object? value, string name) => value switch
    {
        string s => s,
        double or bool => TemplateExecution.Print(value),
        _ => throw new TemplateException($"{name}: expected a string, got {TemplateExecution.Print(value)}"),
    };

    /// <summary>Numbers compare as numbers (Go would refuse float against int; Prometheus users write both), strings as strings.</summary>
    private static int Compare(object? a, object? b, string name) => (a, b) switch
    {
        (double x, double y) => x.CompareTo(y),
        (string x, string y) => string.CompareOrdinal(x, y),
        (bool x, bool y) => x.CompareTo(y),
        _ => throw new TemplateException($"{name}: incompatible types for comparison: {TemplateExecution.Print(a)} and {TemplateExecution.Print(b)}"),
    };
}
