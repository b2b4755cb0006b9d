namespace Headroom.Prometheus.RemoteRead;

/// <summary>A decoded remote read request, as a server receives it.</summary>
/// <param name="Queries">The queries, in request order; answers carry their index.</param>
/// <param name="AcceptedResponseTypes">The answer shapes the client accepts, preferred first; empty from old clients.</param>
public sealed record RemoteReadRequest(IReadOnlyList<RemoteReadQuery> Queries, IReadOnlyList<RemoteReadResponseType> AcceptedResponseTypes)
{
    /// <summary>
    /// The shape to answer in, as Prometheus negotiates it: the first accepted type this codec can write, SAMPLES when
    /// the client named none (clients older than streaming).
    /// </summary>
    public RemoteReadResponseType ResponseType =>
        AcceptedResponseTypes.Count == 0 ? RemoteReadResponseType.Samples : AcceptedResponseTypes[0];
}
