namespace Headroom.PromQL.Syntax;

/// <summary>
/// A regular expression that PromQL refuses. PromQL's regular expressions are RE2 as Go's <c>regexp</c> reads it, so
/// the message is Go's, e.g. <c>error parsing regexp: invalid or unsupported Perl syntax: `(?=`</c>. It derives from
/// <see cref="ArgumentException"/> because a <see cref="LabelMatcher"/> with a bad expression is a bad argument.
/// </summary>
public sealed class RegexSyntaxException : ArgumentException
{
    /// <summary>Creates the exception for problem <paramref name="code"/> (Go's words) found at <paramref name="expression"/>.</summary>
    public RegexSyntaxException(string code, string expression)
        : base($"error parsing regexp: {code}: `{expression}`")
    {
        Code = code;
        Expression = expression;
    }

    /// <summary>Creates the exception.</summary>
    public RegexSyntaxException() : this("invalid regular expression", string.Empty)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RegexSyntaxException(string message) : this(message, string.Empty)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RegexSyntaxException(string message, Exception innerException) : base(message, innerException)
    {
        Code = message;
        Expression = string.Empty;
    }

    /// <summary>What is wrong, in Go's words, e.g. <c>missing closing )</c>.</summary>
    public string Code { get; }

    /// <summary>The part of the expression at fault, e.g. <c>(?=</c>; the whole expression for unbalanced parentheses.</summary>
    public string Expression { get; }
}
