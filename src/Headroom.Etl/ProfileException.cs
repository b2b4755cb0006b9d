namespace Headroom.Etl;

/// <summary>A profile file that cannot be used; the message names the file, the line and the fix.</summary>
public sealed class ProfileException : Exception
{
    public ProfileException()
    {
    }

    public ProfileException(string message)
        : base(message)
    {
    }

    public ProfileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
