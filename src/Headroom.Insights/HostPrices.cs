using System.Globalization;
using System.Text.RegularExpressions;
using Headroom.Warehouse;

namespace Headroom.Insights;

/// <summary>
/// Monthly costs of hosts no instance-type catalog lists (on-premises, other clouds), so their under-use still turns
/// into money: a cost per resource (from a <c>monthly_cost</c> label the ETL stored) first, then a price file of name
/// patterns, the first pattern matching the resource's name (or key) in file order.
/// </summary>
public sealed class HostPrices
{
    /// <summary>The header of the price file.</summary>
    public const string CsvHeader = "name_pattern,price_per_month";

    private readonly IReadOnlyDictionary<string, decimal> _byResource;
    private readonly IReadOnlyList<(string Pattern, Regex Regex, decimal Monthly)> _patterns;

    /// <param name="byResource">Resource key → monthly cost in USD.</param>
    /// <param name="patterns">Name patterns (<c>*</c> any text, <c>?</c> one character, case-insensitive) → monthly cost, in order.</param>
    public HostPrices(IReadOnlyDictionary<string, decimal>? byResource = null, IEnumerable<KeyValuePair<string, decimal>>? patterns = null)
    {
        _byResource = byResource ?? new Dictionary<string, decimal>();
        _patterns = [.. (patterns ?? []).Select(static p => (p.Key, Glob(p.Key), p.Value))];
    }

    /// <summary>No host prices.</summary>
    public static HostPrices None { get; } = new();

    /// <summary>Whether any cost is known.</summary>
    public bool IsEmpty => _byResource.Count == 0 && _patterns.Count == 0;

    /// <summary>The same patterns with per-resource costs added (they come first).</summary>
    public HostPrices WithResources(IReadOnlyDictionary<string, decimal> byResource) =>
        new(byResource, _patterns.Select(static p => new KeyValuePair<string, decimal>(p.Pattern, p.Monthly)));

    /// <summary>The monthly cost of <paramref name="resource"/> and where it comes from, or null.</summary>
    public (decimal Monthly, string Source)? Find(ReportResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_byResource.TryGetValue(resource.Key, out var cost))
            return (cost, "monthly_cost label");
        foreach (var (pattern, regex, monthly) in _patterns)
        {
            if ((resource.Name is { } name && regex.IsMatch(name)) || regex.IsMatch(resource.Key))
                return (monthly, $"host price '{pattern}'");
        }
        return null;
    }

    /// <summary>Reads the CSV format: <see cref="CsvHeader"/>, then one pattern a line; blank lines and <c>#</c> comments are skipped.</summary>
    /// <exception cref="PriceFileException">The file is missing or a line is malformed.</exception>
    public static HostPrices Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new PriceFileException(path, "the file does not exist");
        var patterns = new List<KeyValuePair<string, decimal>>();
        using var reader = new StreamReader(path);
        foreach (var (number, fields) in PriceFile.Rows(reader, path, CsvHeader, emptyHint: " and lines such as 'db-*,450'"))
        {
            if (fields.Length != 2 || fields[0].Trim().Length == 0)
                throw new PriceFileException(path, $"line {number}: expected a name pattern and a monthly price in USD, e.g. 'db-*,450'");
            if (!decimal.TryParse(fields[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var monthly) || monthly < 0)
                throw new PriceFileException(path, $"line {number}: price_per_month '{fields[1].Trim()}' is not a number of USD at or above 0");
            patterns.Add(new(fields[0].Trim(), monthly));
        }
        if (patterns.Count == 0)
            throw new PriceFileException(path, $"the file lists no pattern; expected the header '{CsvHeader}' and lines such as 'db-*,450'");
        return new HostPrices(patterns: patterns);
    }

    private static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
