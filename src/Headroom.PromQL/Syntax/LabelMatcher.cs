using System.Text.RegularExpressions;

namespace Headroom.PromQL.Syntax;

/// <summary>How a <see cref="LabelMatcher"/> compares a label value.</summary>
public enum LabelMatchType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c>, fully anchored regular expression</summary>
    Regex,
    /// <summary><c>!~</c>, fully anchored regular expression</summary>
    NotRegex,
}

/// <summary>
/// A label matcher such as <c>job=~"api|web"</c>. Regular expressions are fully anchored and, as in
/// Prometheus 3, <c>.</c> also matches newlines. They are compiled once, here.
/// </summary>
public sealed class LabelMatcher : IEquatable<LabelMatcher>
{
    /// <summary>How long one regex match may run before it is abandoned.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private readonly Regex? _regex;

    /// <summary>Creates a matcher; throws <see cref="ArgumentException"/> for an invalid regular expression.</summary>
    public LabelMatcher(LabelMatchType type, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Type = type;
        Name = name;
        Value = value;
        if (type is LabelMatchType.Regex or LabelMatchType.NotRegex)
        {
            _regex = CompileAnchored(value);
        }
    }

    /// <summary>The label name; <c>__name__</c> for the metric name.</summary>
    public string Name { get; }

    /// <summary>The comparison.</summary>
    public LabelMatchType Type { get; }

    /// <summary>The value or regular expression as written (unquoted).</summary>
    public string Value { get; }

    /// <summary>The compiled, anchored expression for regex matchers; null otherwise.</summary>
    public Regex? Regex => _regex;

    /// <summary>Whether a series whose label has <paramref name="labelValue"/> (empty when absent) is selected.</summary>
    public bool Matches(string labelValue) => Type switch
    {
        LabelMatchType.Equal => labelValue == Value,
        LabelMatchType.NotEqual => labelValue != Value,
        LabelMatchType.Regex => _regex!.IsMatch(labelValue),
        _ => !_regex!.IsMatch(labelValue),
    };

    /// <summary>Translates RE2 syntax .NET lacks and anchors the expression at both ends.</summary>
    internal static Regex CompileAnchored(string pattern)
    {
        var translated = pattern.Replace("(?P<", "(?<", StringComparison.Ordinal);
        if (translated.Contains("[:", StringComparison.Ordinal))
        {
            foreach (var (posix, net) in PosixClasses)
            {
                translated = translated.Replace(posix, net, StringComparison.Ordinal);
            }
        }
        // \z rather than $: .NET's $ also matches before a final newline.
        return new Regex("^(?:" + translated + ")\\z", RegexOptions.CultureInvariant | RegexOptions.Singleline, RegexTimeout);
    }

    private static readonly (string Posix, string Net)[] PosixClasses =
    [
        ("[:alnum:]", "0-9A-Za-z"), ("[:alpha:]", "A-Za-z"), ("[:ascii:]", "\\x00-\\x7F"), ("[:blank:]", "\\t "),
        ("[:cntrl:]", "\\x00-\\x1F\\x7F"), ("[:digit:]", "0-9"), ("[:graph:]", "!-~"), ("[:lower:]", "a-z"),
        ("[:print:]", " -~"), ("[:punct:]", "!-/:-@\\[-`{-~"), ("[:space:]", "\\t\\n\\v\\f\\r "), ("[:upper:]", "A-Z"),
        ("[:word:]", "0-9A-Za-z_"), ("[:xdigit:]", "0-9A-Fa-f"),
    ];

    /// <inheritdoc />
    public bool Equals(LabelMatcher? other) =>
        other is not null && Type == other.Type && Name == other.Name && Value == other.Value;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LabelMatcher);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Name, Value);

    /// <summary>The matcher as PromQL, e.g. <c>job!~"a.*"</c>.</summary>
    public override string ToString() => Printer.LabelName(Name) + Type switch
    {
        LabelMatchType.Equal => "=",
        LabelMatchType.NotEqual => "!=",
        LabelMatchType.Regex => "=~",
        _ => "!~",
    } + Quoting.Quote(Value);
}
