using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headroom.Prometheus.Client;

/// <summary>One entry of a Prometheus <c>file_sd_configs</c> file: targets that share labels.</summary>
/// <param name="Targets">host:port of each target.</param>
/// <param name="Labels">Labels added to every target of the group (may include <c>__metrics_path__</c>).</param>
public sealed record FileSdTargetGroup(
    [property: JsonPropertyName("targets")] IReadOnlyList<string> Targets,
    [property: JsonPropertyName("labels")] IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Serialises groups as a file_sd JSON document.</summary>
    public static string ToJson(IEnumerable<FileSdTargetGroup> groups) =>
        JsonSerializer.Serialize(groups.ToList(), PrometheusJsonContext.Default.ListFileSdTargetGroup);

    /// <summary>Writes a file_sd document atomically (temporary file, then rename), as Prometheus expects of files it watches.</summary>
    public static async Task WriteFileAsync(string path, IEnumerable<FileSdTargetGroup> groups, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        await File.WriteAllTextAsync(temporary, ToJson(groups), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Reads a file_sd JSON document.</summary>
    public static IReadOnlyList<FileSdTargetGroup> Parse(string json) =>
        JsonSerializer.Deserialize(json, PrometheusJsonContext.Default.ListFileSdTargetGroup) ?? [];
}
