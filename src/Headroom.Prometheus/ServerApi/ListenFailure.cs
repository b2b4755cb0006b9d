using System.Net.Sockets;

namespace Headroom.Prometheus.ServerApi;

/// <summary>
/// Why one of Headroom's servers (gateway, ruler, fleet, serve, the CloudWatch exporter) could not start listening,
/// said the same way by each, with what to do about it.
/// </summary>
public static class ListenFailure
{
    /// <summary>
    /// The message for <paramref name="error"/>, thrown while starting to listen on <paramref name="address"/>; null
    /// when the error is not about listening. A taken port reads "address already in use", the words Prometheus and
    /// the other servers print, which the test harness' port retry looks for.
    /// </summary>
    public static string? Describe(Exception error, string address)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is IOException { InnerException: SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } }
            || error is IOException && error.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            return $"cannot listen on {address}: address already in use; stop what listens there or choose another address with --listen";
        }
        return error is IOException or SocketException or UnauthorizedAccessException
            ? $"cannot listen on {address}: {error.Message}; choose another address with --listen"
            : null;
    }
}
