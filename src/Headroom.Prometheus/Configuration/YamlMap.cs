using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Headroom.Prometheus.Configuration;

/// <summary>
/// A YAML mapping read key by key: every key read is remembered, and <see cref="EnsureAllKeysKnown"/> then names the first
/// key nobody asked for, with its line. That is how unknown keys (usually typos) become errors instead of silence.
/// </summary>
public sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="node"/>, which must be a mapping; <paramref name="path"/> names it in messages (e.g. <c>shards[0]</c>).</summary>
    public YamlMap(YamlNode node, string path)
    {
        _path = path;
        _node = node as YamlMappingNode ?? throw new ConfigException($"{path} must be a mapping of keys to values", LineOf(node), path);
    }

    /// <summary>
    /// Parses a whole configuration file's text and wraps its first document, which must be a mapping. A YAML syntax
    /// error becomes a <see cref="ConfigException"/> with its line; an empty file one that says <paramref name="whenEmpty"/>
    /// (what the file needs, in the reader's words).
    /// </summary>
    public static YamlMap Parse(string text, string whenEmpty)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"not valid YAML: {e.Message}", (int)e.Start.Line);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this for some unterminated flow collections.
            throw new ConfigException($"not valid YAML: {e.Message}", 0);
        }
        if (stream.Documents.Count == 0)
        {
            throw new ConfigException(whenEmpty, 0);
        }
        return new YamlMap(stream.Documents[0].RootNode, "");
    }

    /// <summary>The mapping's 1-based line.</summary>
    public int Line => LineOf(_node);

    /// <summary>Where the mapping sits in the file, e.g. <c>shards[0]</c>.</summary>
    public string Path => _path;

    /// <summary>The 1-based line of <paramref name="node"/>.</summary>
    public static int LineOf(YamlNode node) => (int)node.Start.Line;

    /// <summary>The path of a key of this mapping, for messages.</summary>
    public string Child(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    /// <summary>The value of <paramref name="key"/>, or null when absent or null; marks the key as known.</summary>
    public YamlNode? Get(string key)
    {
        _known.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;
    }

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>A string value, or null when absent.</summary>
    public string? String(string key)
    {
        var node = Get(key);
        if (node is null)
            return null;
        if (node is not YamlScalarNode scalar)
            throw new ConfigException($"{Child(key)} must be a string", LineOf(node), key);
        return scalar.Value;
    }

    /// <summary>A string value that must be present and not empty.</summary>
    public string RequiredString(string key) =>
        String(key) is { Length: > 0 } value ? value : throw new ConfigException($"{Child(key)} is required", Line, key);

    /// <summary>A true/false value, or null when absent.</summary>
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

    /// <summary>A list value, or null when absent.</summary>
    public YamlSequenceNode? Sequence(string key)
    {
        var node = Get(key);
        if (node is null)
            return null;
        return node as YamlSequenceNode ?? throw new ConfigException($"{Child(key)} must be a list", LineOf(node), key);
    }

    /// <summary>A list of non-empty strings, or null when absent.</summary>
    public IReadOnlyList<string>? Strings(string key)
    {
        var sequence = Sequence(key);
        if (sequence is null)
            return null;
        return sequence.Children.Select(n => n is YamlScalarNode { Value: { Length: > 0 } v }
            ? v
            : throw new ConfigException($"{Child(key)} must be a list of strings", LineOf(n), key)).ToList();
    }

    /// <summary>A list of mappings, each with its index; empty when absent.</summary>
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

    /// <summary>The raw entries.</summary>
    public IEnumerable<KeyValuePair<YamlNode, YamlNode>> Entries => _node.Children;

    /// <summary>Throws <see cref="ConfigException"/> naming the first key no reader asked for, with its line.</summary>
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
