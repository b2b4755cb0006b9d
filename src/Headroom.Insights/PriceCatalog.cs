using System.Globalization;
using System.Reflection;

namespace Headroom.Insights;

/// <summary>An instance type with its capacity and on-demand price.</summary>
/// <param name="Name">e.g. <c>m5.large</c>.</param>
/// <param name="VCpus">Virtual CPUs.</param>
/// <param name="MemoryGiB">Memory in GiB.</param>
/// <param name="HourlyUsd">On-demand price in USD per hour.</param>
public sealed record InstanceOffer(string Name, int VCpus, double MemoryGiB, decimal HourlyUsd)
{
    /// <summary>The family: the part of the name before the dot (<c>m5</c> of <c>m5.large</c>).</summary>
    public string Family => Name.IndexOf('.', StringComparison.Ordinal) is var dot and > 0 ? Name[..dot] : Name;

    /// <summary>The price of a month of <see cref="PriceCatalog.HoursPerMonth"/> hours.</summary>
    public decimal MonthlyUsd => HourlyUsd * PriceCatalog.HoursPerMonth;
}

/// <summary>
/// Instance types and their prices: the built-in us-east-1 on-demand Linux list, or a user file (CSV, or AWS's
/// bulk price-list JSON read by <see cref="AwsPriceList"/>).
/// </summary>
public sealed class PriceCatalog
{
    /// <summary>Hours in a month, as AWS bills them (365 × 24 / 12).</summary>
    public const int HoursPerMonth = 730;

    /// <summary>The header of the CSV format.</summary>
    public const string CsvHeader = "instance_type,vcpu,memory_gib,price_per_hour";

    private readonly Dictionary<string, InstanceOffer> _byName;

    /// <summary>A catalog of <paramref name="offers"/> (names unique, case-insensitive).</summary>
    /// <param name="source">Where the prices come from, shown in reports.</param>
    public PriceCatalog(IEnumerable<InstanceOffer> offers, string source)
    {
        ArgumentNullException.ThrowIfNull(offers);
        _byName = new Dictionary<string, InstanceOffer>(StringComparer.OrdinalIgnoreCase);
        foreach (var offer in offers)
        {
            if (!_byName.TryAdd(offer.Name, offer))
                throw new ArgumentException($"instance type {offer.Name} appears twice", nameof(offers));
        }
        Offers = [.. _byName.Values.OrderBy(o => o.Family, StringComparer.Ordinal).ThenBy(o => o.VCpus).ThenBy(o => o.MemoryGiB)];
        Source = source;
    }

    /// <summary>Every offer, by family then size.</summary>
    public IReadOnlyList<InstanceOffer> Offers { get; }

    /// <summary>Where the prices come from.</summary>
    public string Source { get; }

    /// <summary>Monthly costs of hosts whose type the catalog does not list (on-premises, other clouds); none by default.</summary>
    public HostPrices Hosts { get; init; } = HostPrices.None;

    /// <summary>The offer of <paramref name="instanceType"/>, or null when the catalog does not list it.</summary>
    public InstanceOffer? Find(string? instanceType) =>
        instanceType is not null && _byName.TryGetValue(instanceType.Trim(), out var offer) ? offer : null;

    /// <summary>The built-in catalog: common EC2 types, us-east-1, on-demand, Linux (embedded <c>Prices/ec2-us-east-1.csv</c>).</summary>
    public static PriceCatalog BuiltIn { get; } = LoadBuiltIn();

    /// <summary>
    /// Reads a price file: AWS's bulk price-list JSON (offer file) when it starts with <c>{</c>, otherwise CSV with
    /// the header <see cref="CsvHeader"/>.
    /// </summary>
    /// <param name="region">For AWS offer files: the region code whose prices to keep (files for one region may omit it).</param>
    /// <exception cref="PriceFileException">The file is missing, malformed or lists no usable price; the message names the file and the problem.</exception>
    public static PriceCatalog Load(string path, string region = AwsPriceList.DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (PriceFile.IsJson(path))
            return AwsPriceList.Read(path, region);
        using var reader = new StreamReader(path);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads the CSV format: <see cref="CsvHeader"/>, then one type a line; blank lines and <c>#</c> comments are skipped.</summary>
    /// <exception cref="PriceFileException">A line is malformed.</exception>
    public static PriceCatalog ReadCsv(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var offers = new Dictionary<string, InstanceOffer>(StringComparer.OrdinalIgnoreCase);
        foreach (var (number, fields) in PriceFile.Rows(reader, name, CsvHeader, " (or an AWS price-list JSON file)", " and one line per instance type"))
        {
            if (fields.Length != 4)
                throw new PriceFileException(name, $"line {number}: expected 4 fields ({CsvHeader}), got {fields.Length}");
            var type = fields[0].Trim();
            if (type.Length == 0)
                throw new PriceFileException(name, $"line {number}: the instance type is empty");
            if (!int.TryParse(fields[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var vcpu) || vcpu < 1)
                throw new PriceFileException(name, $"line {number}: vcpu '{fields[1].Trim()}' is not a positive whole number");
            if (!double.TryParse(fields[2].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var memory) || !(memory > 0) || double.IsInfinity(memory))
                throw new PriceFileException(name, $"line {number}: memory_gib '{fields[2].Trim()}' is not a positive number");
            if (!decimal.TryParse(fields[3].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || price < 0)
                throw new PriceFileException(name, $"line {number}: price_per_hour '{fields[3].Trim()}' is not a number of USD at or above 0");
            if (!offers.TryAdd(type, new InstanceOffer(type, vcpu, memory, price)))
                throw new PriceFileException(name, $"line {number}: instance type {type} appears twice");
        }
        if (offers.Count == 0)
            throw new PriceFileException(name, "the file lists no instance type");
        return new PriceCatalog(offers.Values, name);
    }

    private static PriceCatalog LoadBuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Prices/ec2-us-east-1.csv")
            ?? throw new InvalidOperationException("the built-in price list is missing from the assembly");
        using var reader = new StreamReader(stream);
        return ReadCsv(reader, "built-in EC2 on-demand prices, us-east-1, Linux");
    }

}

/// <summary>A price file could not be used; the message names the file and the problem.</summary>
public sealed class PriceFileException(string path, string problem, Exception? inner = null)
    : Exception($"price file {path}: {problem}", inner)
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;
}
