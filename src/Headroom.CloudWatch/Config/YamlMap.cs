using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Headroom.CloudWatch.Config;

/// <summary>
/// A YAML mapping read key by key: every key read is remembered, and <see cref="EnsureAllKeysKnown"/> then names the first
/// key nobody asked for, with its line. That is how unknown keys (usually typos) become errors instead of silence.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public YamlMap(YamlNode node, string path)
    {
        _path = path;
        _node = node as YamlMappingNode ?? throw new ConfigException($"{path} must be a mapping of keys to values", LineOf(node), path);
    }

    public int Line => LineOf(_node);

    public string Path => _path;

    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    public string Child(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public YamlNode? Get(string key)
    {
        _known.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;
    }

    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    public string? String(string key)
    {
        var node = Get(key);
        if (node is null)
            return null;
        if (node is not YamlScalarNode scalar)
            throw new ConfigException($"{Child(key)} must be a string", LineOf(node), key);
        return scalar.Value;
    }

    public string RequiredString(string key) =>
        String(key) is { Length: > 0 } value ? value : throw new ConfigException($"{Child(key)} is required", Line, key);

    public bool? Bool(string key)
    {
        var node = Get(key);
        if (node is null)
            return null;
        if (node is YamlScalarNode { Value: { } v } && bool.TryParse(v, out var b))
            return b;
        throw new ConfigException($"{Child(key)} must be true or false, got '{(node as YamlScalarNode)?.Value}'", LineOf(node), key);
    }

    /// <summary>A whole number of seconds, as YACE writes period, length and delay.</summary>
    public TimeSpan? Seconds(string key, long minimum)
    {
        var node = Get(key);
        if (node is null)
            return null;
        if (node is YamlScalarNode { Value: { } v } && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= minimum)
            return TimeSpan.FromSeconds(seconds);
        throw new ConfigException($"{Child(key)} must be a whole number of seconds of at least {minimum}, got '{(node as YamlScalarNode)?.Value}'", LineOf(node), key);
    }

    public YamlSequenceNode? Sequence(string key)
    {
        var node = Get(key);
        if (node is null)
            return null;
        return node as YamlSequenceNode ?? throw new ConfigException($"{Child(key)} must be a list", LineOf(node), key);
    }

    public IReadOnlyList<string>? Strings(string key)
    {
        var sequence = Sequence(key);
        if (sequence is null)
            return null;
        return sequence.Children.Select(n => n is YamlScalarNode { Value: { Length: > 0 } v }
            ? v
            : throw new ConfigException($"{Child(key)} must be a list of strings", LineOf(n), key)).ToList();
    }

    public IEnumerable<(YamlMap Map, int Index)> Maps(string key)
    {
        var sequence = Sequence(key);
        if (sequence is null)
            yield break;
        var i = 0;
        foreach (var item in sequence.Children)
        {
            yield return (new YamlMap(item, $"{Child(key)}[{i}]"), i);
            i++;
        }
    }

    public IEnumerable<KeyValuePair<YamlNode, YamlNode>> Entries => _node.Children;

    public void EnsureAllKeysKnown()
    {
        foreach (var (key, _) in _node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "?";
            if (!_known.Contains(name))
                throw new ConfigException($"unknown key '{name}' in {(_path.Length == 0 ? "the top level" : _path)}", LineOf(key), name);
        }
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: null or "" or "~" or "null" };
}
