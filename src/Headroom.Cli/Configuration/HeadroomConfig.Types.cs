using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization.NamingConventions;

namespace Headroom.Cli.Configuration;

/// <summary>
/// A value of the wrong kind in headroom.yaml, said in the file's words. The YAML reader's own messages name .NET types
/// ("No node deserializer was able to deserialize the node into type System.String, System.Private.CoreLib, …",
/// "Invalid cast from 'System.String' to 'Headroom.Cli.Configuration.SourceConfig'") or say nothing of the key
/// ("The input string 'lots' was not in a correct format."); the key, what it takes and what the file gave do.
/// </summary>
internal sealed partial class HeadroomConfig
{
    /// <summary>"key: expected …, got …" for the value at <paramref name="line"/> of the wrong kind; null when it is not that.</summary>
    private static string? WrongKind(string text, long line, long column, string? unknownKey)
    {
        var values = Values(text);
        // An unknown key under a key that takes a single value: a mapping where a value belongs (window_hours: {a: 1}).
        if (unknownKey is not null)
        {
            var inner = values.FirstOrDefault(v => v.Node.Start.Line == line && v.Key.EndsWith("." + unknownKey, StringComparison.Ordinal));
            if (inner.Key is null)
                return null;
            var parent = inner.Key[..inner.Key.LastIndexOf('.')];
            return TargetType(parent) is { } type && !IsSection(type) ? $"{parent}: expected {Kind(type)}, got a mapping" : null;
        }
        // The innermost value the error points at: a section's mapping starts on the line of its first key too.
        var (key, node) = values.Where(v => v.Node.Start.Line == line && v.Node.Start.Column <= column).OrderBy(v => v.Node.Start.Column).LastOrDefault();
        if (key is null || TargetType(key) is not { } target)
            return null;
        var given = node switch
        {
            YamlScalarNode { Value: { } value } => $"'{value}'",
            YamlSequenceNode => "a list",
            YamlMappingNode => "a mapping",
            _ => "another kind of value",
        };
        return $"{key}: expected {Kind(target)}, got {given}";
    }

    /// <summary>The type a dotted key of the file (<c>etl.window_hours</c>) is read into; null when no setting has that key.</summary>
    private static Type? TargetType(string key)
    {
        var type = typeof(HeadroomConfig);
        foreach (var name in key.Split('.'))
        {
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .FirstOrDefault(p => UnderscoredNamingConvention.Instance.Apply(p.Name) == name);
            if (property is null)
                return null;
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        return type;
    }

    private static bool IsSection(Type type) => type.IsClass && type != typeof(string);

    /// <summary>What a setting of <paramref name="type"/> takes, in the file's words.</summary>
    private static string Kind(Type type) =>
        type == typeof(string) ? "a single value (text)"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : type == typeof(double) ? "a number"
        : type == typeof(bool) ? "true or false"
        : "keys indented under it (a mapping)";

    /// <summary>The message for a value the YAML reader refused at <paramref name="e"/>'s line, naming the key where it can.</summary>
    private static string Describe(YamlException e, string text)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var unknown = System.Text.RegularExpressions.Regex.Match(message, "Property '([^']+)' not found");
        if (unknown.Success)
            return WrongKind(text, e.Start.Line, e.Start.Column, unknown.Groups[1].Value) ?? $"unknown key '{unknown.Groups[1].Value}' (see docs/etl.md for the keys)";
        if (ScalarAt(text, e.Start.Line) is { } scalar && e.InnerException is OverflowException)
            return $"{scalar.Key}: '{scalar.Value}' is too large a number";
        return WrongKind(text, e.Start.Line, e.Start.Column, null) ?? (ScalarAt(text, e.Start.Line) is { } at ? $"{at.Key}: {message}" : message);
    }
}
