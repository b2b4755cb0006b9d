using System.Text;
using Headroom.Servers;

namespace Headroom.IntegrationTests;

public sealed class PushgatewayServerTests
{
    [Fact]
    public async Task Accepts_a_push_and_exposes_it()
    {
        await using var pushgateway = await PushgatewayServer.StartAsync();

        using var content = new StringContent("headroom_pushed_rows 17\n", Encoding.UTF8, "text/plain");
        using var push = await TestSupport.Http.PutAsync(new Uri(pushgateway.BaseUri, "metrics/job/headroom_etl"), content);
        var metrics = await TestSupport.Http.GetStringAsync(new Uri(pushgateway.BaseUri, "metrics"));

        Assert.True(push.IsSuccessStatusCode, $"push returned {(int)push.StatusCode}");
        Assert.Contains("headroom_pushed_rows{instance=\"\",job=\"headroom_etl\"} 17", metrics, StringComparison.Ordinal);
    }
}

public sealed class AlertmanagerServerTests
{
    [Fact]
    public async Task Accepts_an_alert_and_lists_it()
    {
        await using var alertmanager = await AlertmanagerServer.StartAsync();
        var alerts = new Uri(alertmanager.BaseUri, "api/v2/alerts");
        const string alert = """[{"labels":{"alertname":"HeadroomUnderused","severity":"info"},"annotations":{"summary":"test"}}]""";

        using var content = new StringContent(alert, Encoding.UTF8, "application/json");
        using var posted = await TestSupport.Http.PostAsync(alerts, content);

        Assert.True(posted.IsSuccessStatusCode, $"POST returned {(int)posted.StatusCode}: {await posted.Content.ReadAsStringAsync()}");
        await TestSupport.EventuallyAsync(
            async () => (await TestSupport.Http.GetStringAsync(alerts)).Contains("HeadroomUnderused", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "the alert is listed");
    }
}
