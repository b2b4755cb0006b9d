using System.Text.Json;
using System.Text.Json.Serialization;

namespace Headroom.Lake.Publishing;

/// <summary>
/// What a published partition holds, written last as <c>_manifest.json</c> in the partition's folder: its files with
/// row counts, sizes and SHA-256, the partition's total rows and a checksum of its rows' content. A reader that
/// goes by the manifest never sees a file that was not published with it.
/// </summary>
/// <param name="Partition">The partition's folder, e.g. <c>table=hourly/date=2026-11-28/account=1234/region=eu-west-1</c>.</param>
/// <param name="Keys">The partition keys and their values, in path order.</param>
/// <param name="Rows">Rows in all files.</param>
/// <param name="ContentChecksum">The writer's checksum of the rows (order-independent), to prove a copy elsewhere holds the same rows.</param>
/// <param name="Files">The partition's files.</param>
/// <param name="WrittenAt">When it was published (UTC).</param>
public sealed record PartitionManifest(
    string Partition,
    IReadOnlyList<PartitionKey> Keys,
    long Rows,
    string ContentChecksum,
    IReadOnlyList<PartitionFile> Files,
    DateTimeOffset WrittenAt)
{
    /// <summary>The manifest's file name in a partition folder; the leading '_' makes Hive, Athena and DuckDB skip it.</summary>
    public const string FileName = "_manifest.json";

    /// <summary>The manifest's format version.</summary>
    public int Format { get; init; } = 1;

    /// <summary>The manifest's key in the store.</summary>
    public string Key => Partition + "/" + FileName;

    /// <summary>The value of a partition key, or null.</summary>
    public string? this[string name] => Keys.FirstOrDefault(k => k.Name == name)?.Value;

    /// <summary>Serialises the manifest as indented JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, LakeJsonContext.Default.PartitionManifest);

    /// <summary>Parses a manifest.</summary>
    /// <exception cref="JsonException">It is not a manifest.</exception>
    public static PartitionManifest Parse(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, LakeJsonContext.Default.PartitionManifest) ?? throw new JsonException("the manifest is null");
}

/// <summary>A Hive partition key and its value.</summary>
public sealed record PartitionKey(string Name, string Value);

/// <summary>A file of a partition.</summary>
/// <param name="Name">The file name inside the partition folder.</param>
public sealed record PartitionFile(string Name, long Rows, long Bytes, string Sha256);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(PartitionManifest))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Utilization.ExportWatermark))]
internal sealed partial class LakeJsonContext : JsonSerializerContext;
