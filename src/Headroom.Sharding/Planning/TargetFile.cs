using System.Globalization;
using System.Text.Json;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;

namespace Headroom.Sharding;

/// <summary>One target of a file_sd file: its address and the labels of its group.</summary>
/// <param name="Id">The <c>instance</c> label, or the address when the group sets none: how the shards' metrics name it.</param>
/// <param name="Address">host:port.</param>
/// <param name="Labels">The group's labels (may include <c>__metrics_path__</c>).</param>
public sealed record FileSdTarget(string Id, string Address, IReadOnlyDictionary<string, string> Labels);

/// <summary>Reads the fleet's file_sd targets and writes one file_sd file per shard.</summary>
public static class TargetFile
{
    /// <summary>The file of shard <paramref name="shard"/> in an output directory: <c>shard-0.json</c>, <c>shard-1.json</c>, …</summary>
    public static string ShardFileName(int shard) => $"shard-{shard.ToString(CultureInfo.InvariantCulture)}.json";

    /// <summary>Reads the targets of a file_sd JSON file, each once.</summary>
    /// <exception cref="ShardingException">The file cannot be read, is not file_sd JSON, or names a target twice.</exception>
    public static IReadOnlyList<FileSdTarget> Read(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ShardingException($"cannot read the targets file {path}: {e.Message}", e);
        }
        try
        {
            return Parse(json);
        }
        catch (ShardingException e)
        {
            throw new ShardingException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>The targets of file_sd JSON text, each once.</summary>
    /// <exception cref="ShardingException">Not file_sd JSON, or a target twice.</exception>
    public static IReadOnlyList<FileSdTarget> Parse(string json)
    {
        IReadOnlyList<FileSdTargetGroup> groups;
        try
        {
            groups = FileSdTargetGroup.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ShardingException($"not a file_sd JSON file ({e.Message}); write a list of {{\"targets\": [\"host:port\"], \"labels\": {{...}}}} groups", e);
        }
        var targets = new List<FileSdTarget>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var labels = group.Labels ?? new Dictionary<string, string>();
            foreach (var address in group.Targets ?? [])
            {
                if (string.IsNullOrWhiteSpace(address))
                    throw new ShardingException($"group {g + 1} lists an empty target; write host:port");
                var id = labels.TryGetValue("instance", out var instance) && instance.Length > 0 ? instance : address;
                if (!seen.Add(id))
                    throw new ShardingException($"two targets are named '{id}' (group {g + 1}); the planner tells targets apart by their instance label, so give each its own");
                targets.Add(new FileSdTarget(id, address, labels));
            }
        }
        return targets;
    }

    /// <summary>The groups of one shard: each target as a group of its own with its labels, in fleet order.</summary>
    public static IReadOnlyList<FileSdTargetGroup> GroupsOf(IEnumerable<FileSdTarget> targets) =>
        [.. targets.Select(static t => new FileSdTargetGroup([t.Address], t.Labels))];

    /// <summary>
    /// Writes <c>shard-i.json</c> for every shard of <paramref name="plan"/> into <paramref name="directory"/>, each
    /// atomically (Prometheus re-reads a file_sd file when it changes). Files of shards past the plan's count are
    /// emptied, not deleted, so a Prometheus still reading one drops its targets instead of logging errors.
    /// </summary>
    /// <returns>The files written.</returns>
    public static async Task<IReadOnlyList<string>> WriteAsync(string directory, ShardPlan plan, IReadOnlyList<FileSdTarget> targets,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(targets);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var byShard = targets.ToLookup(t => plan.ShardOf(t.Id) ?? throw new ArgumentException($"target {t.Id} is not in the plan", nameof(targets)));
        for (var s = 0; s < plan.ShardCount; s++)
        {
            var path = Path.Combine(directory, ShardFileName(s));
            await FileSdTargetGroup.WriteFileAsync(path, GroupsOf(byShard[s]), cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }
        foreach (var (shard, path) in ShardFiles(directory))
        {
            if (shard >= plan.ShardCount)
            {
                await FileSdTargetGroup.WriteFileAsync(path, [], cancellationToken).ConfigureAwait(false);
                written.Add(path);
            }
        }
        return written;
    }

    /// <summary>
    /// The assignment the shard files in <paramref name="directory"/> hold (the previous plan), over
    /// <paramref name="targets"/>' series; null when there are none. Targets no longer in the fleet are left out.
    /// </summary>
    /// <exception cref="ShardingException">A shard file is not file_sd JSON.</exception>
    public static ShardPlan? ReadPrevious(string directory, IReadOnlyList<ShardTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (!Directory.Exists(directory))
            return null;
        var files = ShardFiles(directory).ToList();
        if (files.Count == 0)
            return null;
        var series = targets.ToDictionary(static t => t.Id, static t => t.Series, StringComparer.Ordinal);
        var held = new List<ShardTarget>();
        var shardOf = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (shard, path) in files)
        {
            foreach (var target in Read(path))
            {
                if (series.TryGetValue(target.Id, out var count) && seen.Add(target.Id))
                {
                    held.Add(new ShardTarget(target.Id, count));
                    shardOf.Add(shard);
                }
            }
        }
        return new ShardPlan(held, shardOf, files.Max(static f => f.Shard) + 1);
    }

    private static IEnumerable<(int Shard, string Path)> ShardFiles(string directory) =>
        Directory.EnumerateFiles(directory, "shard-*.json")
            .Select(static path => (Ok: int.TryParse(Path.GetFileNameWithoutExtension(path)["shard-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s), Shard: s, Path: path))
            .Where(static f => f.Ok)
            .Select(static f => (f.Shard, f.Path))
            .OrderBy(static f => f.Shard);
}
