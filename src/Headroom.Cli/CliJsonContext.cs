using System.Text.Json.Serialization;
using Headroom.Etl;
using Headroom.Warehouse;

namespace Headroom.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(EtlReport))]
[JsonSerializable(typeof(Headroom.Etl.CloudWatch.CloudWatchEtlReport))]
[JsonSerializable(typeof(Headroom.Cli.Commands.EtlStatusDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
