namespace Headroom.Prometheus.RemoteRead;

/// <summary>A remote read failed: the server was unreachable, answered an error, or sent a payload that cannot be read.</summary>
public sealed class RemoteReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteReadException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteReadException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public RemoteReadException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an HTTP error answer.</summary>
    public RemoteReadException(string message, int statusCode) : base(message) => StatusCode = statusCode;

    /// <summary>Creates the exception for an HTTP error answer, with its cause.</summary>
    public RemoteReadException(string message, Exception innerException, int statusCode) : base(message, innerException) => StatusCode = statusCode;

    /// <summary>
    /// The HTTP status the server answered, when it answered an error; 400 for a request that
    /// <see cref="RemoteReadServerCodec"/> refuses.
    /// </summary>
    public int? StatusCode { get; }

    /// <summary>
    /// The shards a Headroom gateway said it had no replica answering for (its <see cref="UnavailableShardsHeader"/>),
    /// when the error is such a gateway's 503: the rest of its shards can still be read, asked with
    /// <c>partial_response=true</c>. Empty for any other error, and always for Prometheus.
    /// </summary>
    public IReadOnlyList<string> UnavailableShards { get; init; } = [];
}
