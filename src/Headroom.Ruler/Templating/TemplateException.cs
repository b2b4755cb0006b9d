namespace Headroom.Ruler.Templating;

/// <summary>A template that does not parse, names an unknown function or variable, or fails while expanding.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message) : base(message)
    {
    }

    public TemplateException()
    {
    }

    public TemplateException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
