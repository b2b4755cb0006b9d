using System.Text.Json.Serialization;

namespace Headroom.Prometheus;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<FileSdTargetGroup>))]
[JsonSerializable(typeof(ApiResponse))]
internal sealed partial class PrometheusJsonContext : JsonSerializerContext;
