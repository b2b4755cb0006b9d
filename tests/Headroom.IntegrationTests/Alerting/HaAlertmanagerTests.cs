using Headroom.Servers;

namespace Headroom.IntegrationTests.Alerting;

/// <summary>
/// An alert fired by both replicas of a shard, sent to both members of a clustered Alertmanager pair, reaches the
/// webhook exactly once, with both members up and after either is killed with SIGKILL.
/// </summary>
public sealed class HaAlertmanagerTests(HaAlertmanagerFixture fixture) : IClassFixture<HaAlertmanagerFixture>
{
    private static readonly TimeSpan s_firstNotification = TimeSpan.FromSeconds(30);

    // After the first notification: two peer timeouts (the second member sends one peer timeout after its flush, if it
    // has not heard of the first's notification) and so four group_intervals (each a re-flush a duplicate could leave by).
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(2 * HaAlertmanagerFixture.PeerTimeoutSeconds);

    [Fact]
    public async Task A_firing_alert_is_notified_once_with_both_members_up()
    {
        await using var pair = await AlertmanagerPair.StartAsync(HaAlertmanagerFixture.MemberOptions(fixture.Receiver.Uri));
        const string alert = "HeadroomHaBothUp";

        await fixture.FireAsync(pair, nameof(A_firing_alert_is_notified_once_with_both_members_up), alert);

        await ExpectExactlyOnceAsync(alert, pair.Members);
        // Both members hold the alert, so the single notification is the cluster's doing, not one member missing it.
        foreach (var member in pair.Members)
            Assert.Contains(alert, await TestSupport.Http.GetStringAsync(new Uri(member.BaseUri, "api/v2/alerts")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Alerts_are_notified_once_when_a_member_is_killed(int victim)
    {
        await using var pair = await AlertmanagerPair.StartAsync(HaAlertmanagerFixture.MemberOptions(fixture.Receiver.Uri));
        var before = $"HeadroomHaBeforeKill{victim}";
        var after = $"HeadroomHaAfterKill{victim}";
        var testName = $"kill{victim}";
        var survivor = pair.Members[1 - victim];
        var heard = await Task.WhenAll(pair.Members.Select(GossipReceivedAsync));
        await fixture.FireAsync(pair, testName, before);
        var first = await ExpectExactlyOnceAsync(before, pair.Members);
        // Alertmanager's HA is at-least-once: a member that has not yet heard of a notification by gossip sends it
        // again. So the member that did not send waits for the sender's notification log to reach it (either way:
        // the victim could otherwise send it late, the survivor after the kill) before anything is killed.
        var other = pair.Members.Single(m => m.BaseUri.Port != first.Sender.Port);
        await WaitForGossipAsync(other, heard[pair.Members.ToList().IndexOf(other)]);
        Assert.True(fixture.Receiver.Firing(before).Count == 1, "notified twice with both members up: " + string.Join("; ", fixture.Receiver.Firing(before)));

        var victimPid = pair.Members[victim].ProcessId;
        var killedAt = DateTimeOffset.UtcNow;
        await pair.Members[victim].KillAsync();
        Assert.False(TestSupport.ProcessExists(victimPid), "the killed member is gone");
        await fixture.FireAsync(pair, testName, before, after);

        var notified = await ExpectExactlyOnceAsync(after, [survivor]);
        Assert.Equal(survivor.BaseUri.Port, notified.Sender.Port);
        // The survivor knew from gossip that the first alert went out, and does not send it again.
        var sent = fixture.Receiver.Firing(before);
        if (sent.Count != 1)
            Assert.Fail($"{before} sent {sent.Count} times (member {victim} at {pair.Members[victim].BaseUri.Authority} killed at {killedAt:HH:mm:ss.fff}): "
                + string.Join("; ", sent) + "\n" + await fixture.DiagnosticsAsync([survivor]));
    }

    /// <summary>
    /// The gossip a member has received from its peers: updates (notification log and silence entries, as they are
    /// made) and full states (the whole log, at each push-pull).
    /// </summary>
    private static async Task<(double Updates, double FullStates)> GossipReceivedAsync(AlertmanagerServer member)
    {
        var metrics = (await TestSupport.Http.GetStringAsync(new Uri(member.BaseUri, "metrics"))).Split('\n');
        double Value(string type)
        {
            var name = $"alertmanager_cluster_messages_received_total{{msg_type=\"{type}\"}} ";
            var line = metrics.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line[name.Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return (Value("update"), Value("full_state"));
    }

    /// <summary>
    /// Waits until <paramref name="member"/> holds its peer's newest notification log: an update received since it had
    /// <paramref name="before"/>, or three full states from now on (a push-pull every second; the first may have left
    /// before the sender logged its notification).
    /// </summary>
    private async Task WaitForGossipAsync(AlertmanagerServer member, (double Updates, double FullStates) before)
    {
        var fullStates = (await GossipReceivedAsync(member)).FullStates;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var now = await GossipReceivedAsync(member);
            if (now.Updates > before.Updates || now.FullStates >= fullStates + 3)
                return;
            if (waited.Elapsed > s_firstNotification)
                Assert.Fail($"{member.BaseUri} heard no gossip of the first notification within {s_firstNotification.TotalSeconds} s.\n"
                    + await fixture.DiagnosticsAsync([member]));
            await Task.Delay(100);
        }
    }

    private async Task<Notification> ExpectExactlyOnceAsync(string alert, IReadOnlyList<AlertmanagerServer> members)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (fixture.Receiver.Firing(alert).Count == 0)
        {
            if (waited.Elapsed > s_firstNotification)
                Assert.Fail($"{alert} was not notified within {s_firstNotification.TotalSeconds} s.\n" + await fixture.DiagnosticsAsync(members));
            await Task.Delay(100);
        }
        await Task.Delay(s_window);
        var notifications = fixture.Receiver.Firing(alert);
        Assert.True(notifications.Count == 1,
            $"{alert} was notified {notifications.Count} times within {s_window.TotalSeconds} s of the first: "
            + string.Join("; ", notifications));
        return notifications[0];
    }
}
