using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Headroom.Etl;

/// <summary>
/// A value of the wrong kind in a profile, said in the profile's words. The YAML reader's messages name .NET types
/// ("No node deserializer was able to deserialize the node into type System.String, System.Private.CoreLib, …");
/// the key, what it takes and what the file gave do.
/// </summary>
public static partial class ProfileLoader
{
    /// <summary>"key: expected …, got …" for the node <paramref name="e"/> points at; null when the message names no type.</summary>
    private static string? WrongKind(YamlException e, string yaml)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var target = DeserializeInto().Match(message) is { Success: true } into ? into.Groups[1].Value
            : CastTo().Match(message) is { Success: true } cast ? cast.Groups[1].Value
            : null;
        if (target is null)
            return null;
        var (key, node) = NodeAt(yaml, e.Start);
        var given = node switch
        {
            YamlScalarNode { Value: { } value } => $"'{value}'",
            YamlSequenceNode => "a list",
            YamlMappingNode => "a mapping",
            _ => "another kind of value",
        };
        return $"{key ?? "a value"}: expected {Kind(target)}, got {given}";
    }

    /// <summary>What a value read into the .NET type <paramref name="typeName"/> must be, in the profile's words.</summary>
    private static string Kind(string typeName) =>
        typeName.StartsWith("System.String", StringComparison.Ordinal) ? "a single value (text)"
        : typeName.StartsWith("System.Int", StringComparison.Ordinal) ? "a whole number"
        : typeName.StartsWith("System.Double", StringComparison.Ordinal) ? "a number"
        : typeName.StartsWith("System.Boolean", StringComparison.Ordinal) ? "true or false"
        : typeName.Contains("List`1", StringComparison.Ordinal) ? "a list, e.g. [a, b]"
        : typeName.Contains("Dictionary`2", StringComparison.Ordinal) ? "names and values, e.g. {name: label}"
        : "keys indented under it (a mapping)";

    /// <summary>The dotted key (<c>dimensions[0].expr</c>) and node starting at <paramref name="at"/>, the innermost; (null, null) when none does.</summary>
    private static (string? Key, YamlNode? Node) NodeAt(string yaml, Mark at)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException)
        {
            return (null, null);
        }
        (string?, YamlNode?) found = (null, null);
        void Walk(YamlNode node, string key)
        {
            if (node.Start.Line == at.Line && node.Start.Column == at.Column)
                found = (key, node);
            if (node is YamlMappingNode mapping)
            {
                foreach (var (k, v) in mapping.Children)
                    Walk(v, key.Length == 0 ? $"{k}" : $"{key}.{k}");
            }
            else if (node is YamlSequenceNode sequence)
            {
                for (var i = 0; i < sequence.Children.Count; i++)
                    Walk(sequence.Children[i], $"{key}[{i}]");
            }
        }
        if (stream.Documents.Count > 0)
            Walk(stream.Documents[0].RootNode, "");
        return found;
    }

    [GeneratedRegex(@"deserialize the node into type ([^,\s]+)")]
    private static partial Regex DeserializeInto();

    [GeneratedRegex(@"Invalid cast from '[^']*' to '([^']+)'")]
    private static partial Regex CastTo();
}
