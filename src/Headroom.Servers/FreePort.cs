using System.Net;
using System.Net.Sockets;

namespace Headroom.Servers;

/// <summary>Hands out free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    // Ports handed out recently are skipped so two servers starting at the same moment in this
    // process do not get the same port before either has bound it.
    private const int RememberedPorts = 256;
    private static readonly Queue<int> s_recent = new();
    private static readonly HashSet<int> s_recentSet = [];
    private static readonly Lock s_lock = new();

    /// <summary>
    /// Returns a port that was free on 127.0.0.1 a moment ago. Another process may still take it
    /// before the caller binds it; the servers in this library retry with a new port when that happens.
    /// </summary>
    public static int Next()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = BindEphemeral();
            lock (s_lock)
            {
                if (s_recentSet.Contains(port) && attempt < 20)
                    continue;
                s_recent.Enqueue(port);
                s_recentSet.Add(port);
                if (s_recent.Count > RememberedPorts)
                    s_recentSet.Remove(s_recent.Dequeue());
                return port;
            }
        }
    }

    private static int BindEphemeral()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
