using System.Text.Json.Serialization;

namespace Headroom.Gateway.Http;

/// <summary>
/// <c>/api/v1/status/buildinfo</c>, which Grafana reads to pick its Prometheus features, and a gateway above this one to
/// learn its window edges: the gateway names the Prometheus its answers agree with (2.42, the version its tests run
/// against, when a sample on a window's left edge counts; 3.0 when it does not), and itself in the branch.
/// </summary>
internal sealed record BuildInfo(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("branch")] string Branch,
    [property: JsonPropertyName("buildUser")] string BuildUser,
    [property: JsonPropertyName("buildDate")] string BuildDate,
    [property: JsonPropertyName("goVersion")] string GoVersion)
{
    private static readonly string s_branch = "headroom-gateway-" + (typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? "0");

    /// <summary>The answer of a gateway whose engine has <paramref name="leftEdge"/>.</summary>
    public static BuildInfo For(PromQL.Engine.WindowLeftEdge leftEdge) =>
        new(leftEdge == PromQL.Engine.WindowLeftEdge.Included ? "2.42.0" : "3.0.0", "headroom", s_branch, "headroom", "", "none (C#)");
}

internal sealed record BuildInfoResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("data")] BuildInfo Data);

[JsonSerializable(typeof(BuildInfoResponse))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
