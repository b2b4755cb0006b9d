using System.Text.Json.Serialization;

namespace Headroom.Etl;

[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(string))]
internal sealed partial class ValidationJsonContext : JsonSerializerContext;
