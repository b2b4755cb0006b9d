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
/// A label matcher such as <c>job=~"api|web"</c>. Regular expressions are RE2, as in Prometheus: fully anchored, and
/// <c>.</c> also matches newlines (Prometheus 3). They are compiled once, here, for .NET's linear-time NonBacktracking
/// engine, so a hostile pattern cannot stall a query.
/// </summary>
public sealed class LabelMatcher : IEquatable<LabelMatcher>
{
    private readonly PromRegex? _regex;

    /// <summary>
    /// Creates a matcher; throws <see cref="RegexSyntaxException"/> (an <see cref="ArgumentException"/>) for a regular
    /// expression RE2 refuses, with Go's message.
    /// </summary>
    public LabelMatcher(LabelMatchType type, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Type = type;
        Name = name;
        Value = value;
        if (type is LabelMatchType.Regex or LabelMatchType.NotRegex)
        {
            _regex = PromRegex.Anchored(value);
        }
    }

    /// <summary>The label name; <c>__name__</c> for the metric name.</summary>
    public string Name { get; }

    /// <summary>The comparison.</summary>
    public LabelMatchType Type { get; }

    /// <summary>The value or regular expression as written (unquoted).</summary>
    public string Value { get; }

    /// <summary>The compiled, anchored .NET expression for regex matchers (translated from RE2); null otherwise.</summary>
    public Regex? Regex => _regex?.Regex;

    /// <summary>Whether a series whose label has <paramref name="labelValue"/> (empty when absent) is selected.</summary>
    public bool Matches(string labelValue) => Type switch
    {
        LabelMatchType.Equal => labelValue == Value,
        LabelMatchType.NotEqual => labelValue != Value,
        LabelMatchType.Regex => _regex!.IsMatch(labelValue),
        _ => !_regex!.IsMatch(labelValue),
    };

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
