namespace Headroom.Servers;

/// <summary>How to start an <see cref="AlertmanagerServer"/>. Every property has a usable default.</summary>
public sealed record AlertmanagerOptions
{
    /// <summary>The alertmanager.yml to run with. Default: one receiver, <c>default</c>, that sends nowhere.</summary>
    public string Config { get; init; } = """
        route:
          receiver: default
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: default
        """;

    /// <summary>
    /// The loopback port for cluster gossip (<c>--cluster.listen-address</c>), or null to run without clustering. A
    /// pair needs the ports chosen before either starts, because each names the other in <see cref="Peers"/>.
    /// </summary>
    public int? ClusterPort { get; init; }

    /// <summary>Other members' gossip addresses (<c>--cluster.peer</c>), e.g. <c>127.0.0.1:9094</c>. Default none.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>
    /// <c>--cluster.gossip-interval</c>: how often notification-log and silence updates go to peers. Alertmanager's
    /// default, 200ms, is kept in production; tests shorten it so a sent notification reaches the peer sooner.
    /// </summary>
    public string GossipInterval { get; init; } = "200ms";

    /// <summary><c>--cluster.pushpull-interval</c>: full state sync between peers; also paces the start-up settle. Default 1m.</summary>
    public string PushPullInterval { get; init; } = "1m0s";

    /// <summary>
    /// <c>--cluster.peer-timeout</c>: how long the member at position n waits (n × this) before sending, so that the
    /// member before it has sent and gossiped first. Default 15s.
    /// </summary>
    public string PeerTimeout { get; init; } = "15s";

    /// <summary>How long to wait for <c>/-/ready</c>. Default 30 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A member of a pair timed for runs that last seconds (demos and tests): one route, grouped by alert name, to a
    /// webhook at <paramref name="webhook"/>. group_wait 1s sends the first notification at once and
    /// <paramref name="groupInterval"/> re-flushes the group (and so retries a duplicate), while repeat_interval 1h
    /// makes any second notification within the run a duplicate the cluster failed to suppress. Gossip every 100 ms,
    /// full sync every second; member n waits n × <paramref name="peerTimeout"/> before sending.
    /// </summary>
    public static AlertmanagerOptions WebhookPairMember(Uri webhook, TimeSpan peerTimeout, string groupInterval = "2s")
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return new()
        {
            Config = $"""
                route:
                  receiver: hook
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: {groupInterval}
                  repeat_interval: 1h
                receivers:
                  - name: hook
                    webhook_configs:
                      - url: '{webhook}'
                        send_resolved: false
                """,
            GossipInterval = "100ms",
            PushPullInterval = "1s",
            PeerTimeout = ((int)Math.Ceiling(peerTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "s",
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> for values Alertmanager would reject only after starting.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Config))
            throw new ArgumentException($"{nameof(Config)} must hold an alertmanager.yml.", nameof(AlertmanagerOptions));
        if (ClusterPort is < 1 or > 65535)
            throw new ArgumentException($"{nameof(ClusterPort)} must be between 1 and 65535.", nameof(AlertmanagerOptions));
        if (ClusterPort is null && Peers.Count > 0)
            throw new ArgumentException($"{nameof(Peers)} need a {nameof(ClusterPort)} to gossip on.", nameof(AlertmanagerOptions));
        if (StartTimeout <= TimeSpan.Zero)
            throw new ArgumentException($"{nameof(StartTimeout)} must be positive.", nameof(AlertmanagerOptions));
    }
}
