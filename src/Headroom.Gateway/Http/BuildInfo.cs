using System.Text.Json.Serialization;

namespace Headroom.Gateway.Http;

/// <summary>
/// <c>/api/v1/status/buildinfo</c>, which Grafana reads to pick its Prometheus features: the gateway answers the API of
/// Prometheus 2.42 (the version its tests agree with), and names itself in the branch.
/// </summary>
internal sealed record BuildInfo(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("revision")] string Revision,
    [property: JsonPropertyName("branch")] string Branch,
    [property: JsonPropertyName("buildUser")] string BuildUser,
    [property: JsonPropertyName("buildDate")] string BuildDate,
    [property: JsonPropertyName("goVersion")] string GoVersion)
{
    public static BuildInfo Current { get; } = new("2.42.0", "headroom", "headroom-gateway-" +
        (typeof(BuildInfo).Assembly.GetName().Version?.ToString(3) ?? "0"), "headroom", "", "none (C#)");
}

internal sealed record BuildInfoResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("data")] BuildInfo Data);

[JsonSerializable(typeof(BuildInfoResponse))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
