using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headroom.Warehouse;

/// <summary>Label maps as JSON text: keys sorted ordinally so equal maps store equal text.</summary>
internal static class LabelJson
{
    // Relaxed escaping keeps non-ASCII label values readable for people querying the tables; the
    // JSON is only ever bound as a parameter, never spliced into SQL or HTML.
    private static readonly JsonSerializerOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = LabelJsonContext.Default,
    };

    public static string Write(IReadOnlyDictionary<string, string> labels)
    {
        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in labels)
            sorted[key] = value;
        return JsonSerializer.Serialize(sorted, s_options);
    }

    public static Dictionary<string, string> Read(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, s_options) ?? [];
}

[JsonSerializable(typeof(SortedDictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class LabelJsonContext : JsonSerializerContext;
