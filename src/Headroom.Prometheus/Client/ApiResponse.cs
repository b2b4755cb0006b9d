using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headroom.Prometheus.Client;

/// <summary>The JSON envelope of every Prometheus API answer.</summary>
internal sealed class ApiResponse
{
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("data")]
    public JsonElement Data { get; set; }

    [JsonPropertyName("errorType")]
    public string? ErrorType { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("warnings")]
    public List<string>? Warnings { get; set; }

    [JsonPropertyName("infos")]
    public List<string>? Infos { get; set; }
}
