namespace Headroom.Demo;

/// <summary>The demo could not tell its story: a server did not answer as expected, or the data read back was wrong.</summary>
public sealed class DemoException : Exception
{
    /// <summary>Creates the exception with a message that says what went wrong and where to look.</summary>
    public DemoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public DemoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DemoException()
        : this("the demo failed")
    {
    }
}
