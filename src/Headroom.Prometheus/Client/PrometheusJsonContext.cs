using System.Text.Json.Serialization;

namespace Headroom.Prometheus.Client;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<FileSdTargetGroup>))]
[JsonSerializable(typeof(ApiResponse))]
internal sealed partial class PrometheusJsonContext : JsonSerializerContext;
