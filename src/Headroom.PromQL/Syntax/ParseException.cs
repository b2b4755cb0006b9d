namespace Headroom.PromQL.Syntax;

/// <summary>
/// A PromQL query could not be parsed or failed type checking. <see cref="Exception.Message"/> reads like
/// Prometheus' own, e.g. <c>1:5: parse error: unexpected &lt;op:*&gt;</c>.
/// </summary>
public sealed class ParseException : Exception
{
    /// <summary>Creates an exception for <paramref name="detail"/> at <paramref name="position"/> of <paramref name="query"/>.</summary>
    public ParseException(string query, PositionRange position, string detail)
        : base($"{position.StartLineColumn(query ?? string.Empty)}: parse error: {detail}")
    {
        Query = query ?? string.Empty;
        Position = position;
        Detail = detail;
    }

    /// <summary>Creates an exception without position information.</summary>
    public ParseException() : this(string.Empty, default, "unknown error")
    {
    }

    /// <summary>Creates an exception without position information.</summary>
    public ParseException(string message) : this(string.Empty, default, message)
    {
    }

    /// <summary>Creates an exception without position information.</summary>
    public ParseException(string message, Exception innerException) : base(message, innerException)
    {
        Query = string.Empty;
        Detail = message;
    }

    /// <summary>The query text that failed to parse.</summary>
    public string Query { get; }

    /// <summary>Where in <see cref="Query"/> the problem is.</summary>
    public PositionRange Position { get; }

    /// <summary>The message without the position prefix, e.g. <c>unexpected end of input</c>.</summary>
    public string Detail { get; }
}
