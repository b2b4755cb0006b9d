namespace Headroom.Warehouse;

/// <summary>Source URLs as stored: without user name or password, so no credential reaches a table.</summary>
public static class SourceNames
{
    /// <summary>Maximum stored length of a source URL.</summary>
    public const int MaxLength = 255;

    /// <summary>Removes <c>user:password@</c> from a URL; other text is returned unchanged.</summary>
    public static string WithoutCredentials(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var schemeEnd = source.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
            return source;
        var authorityStart = schemeEnd + 3;
        var authorityEnd = source.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
            authorityEnd = source.Length;
        var at = source.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        return at < 0 ? source : source[..authorityStart] + source[(at + 1)..];
    }
}
