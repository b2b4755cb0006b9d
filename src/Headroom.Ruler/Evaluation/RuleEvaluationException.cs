namespace Headroom.Ruler;

/// <summary>A rule's evaluation failed: its query failed, its result broke a rule of the group, or a template failed.</summary>
public sealed class RuleEvaluationException : Exception
{
    public RuleEvaluationException(string message) : base(message)
    {
    }

    public RuleEvaluationException()
    {
    }

    public RuleEvaluationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
