namespace Headroom.Ruler.Rules;

/// <summary>Rule files that cannot be evaluated; the message lists every problem as <c>file:line: what to fix</c>.</summary>
public sealed class RuleLoadException : Exception
{
    public RuleLoadException(string message) : base(message)
    {
    }

    public RuleLoadException()
    {
    }

    public RuleLoadException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
