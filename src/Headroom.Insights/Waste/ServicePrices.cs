using System.Globalization;
using System.Reflection;

namespace Headroom.Insights.Waste;

/// <summary>One price of an AWS service: e.g. <c>us-east-1, rds, db.m5.large, hour, 0.171</c>.</summary>
/// <param name="Unit"><c>hour</c>, <c>gb_month</c>, <c>gb_second</c> or <c>unit_hour</c>.</param>
public sealed record ServicePrice(string Region, string Service, string Type, string Unit, decimal Usd);

/// <summary>
/// Prices of the services the waste rules price (load balancers, NAT gateways, EBS, Lambda, DynamoDB, RDS,
/// ElastiCache, Redshift), by region. Kept apart from <see cref="PriceCatalog"/> (EC2 instance types): a price is
/// found by region, service and type, and a missing one is said, never guessed from another region.
/// </summary>
public sealed class ServicePrices
{
    /// <summary>The header of the CSV format.</summary>
    public const string CsvHeader = "region,service,type,unit,price_usd";

    /// <summary>Units a price may be in.</summary>
    public static IReadOnlyList<string> Units { get; } = ["hour", "gb_month", "gb_second", "unit_hour"];

    private readonly Dictionary<(string Region, string Service, string Type), ServicePrice> _prices = [];

    /// <summary>A catalog of <paramref name="prices"/>; a later price of the same region, service and type replaces an earlier one.</summary>
    public ServicePrices(IEnumerable<ServicePrice> prices, string source)
    {
        ArgumentNullException.ThrowIfNull(prices);
        foreach (var p in prices)
            _prices[Key(p.Region, p.Service, p.Type)] = p;
        Source = source;
    }

    /// <summary>Where the prices come from.</summary>
    public string Source { get; }

    /// <summary>Every price.</summary>
    public IReadOnlyCollection<ServicePrice> All => _prices.Values;

    /// <summary>The regions with at least one price.</summary>
    public IReadOnlyList<string> Regions => [.. _prices.Keys.Select(static k => k.Region).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The built-in list: us-east-1, on-demand (embedded <c>Prices/services-us-east-1.csv</c>).</summary>
    public static ServicePrices BuiltIn { get; } = LoadBuiltIn();

    /// <summary>The price, or null with <paramref name="missing"/> saying what is missing and how to add it.</summary>
    public ServicePrice? Find(string? region, string service, string? type, out string? missing)
    {
        missing = null;
        if (string.IsNullOrEmpty(region))
        {
            missing = $"no region known for the resource, so no {service} price (the info series needs a region label)";
            return null;
        }
        if (string.IsNullOrEmpty(type))
        {
            missing = $"no {service} type known for the resource, so no price";
            return null;
        }
        if (_prices.TryGetValue(Key(region, service, type), out var price))
            return price;
        missing = _prices.Keys.Any(k => k.Region.Equals(region, StringComparison.OrdinalIgnoreCase))
            ? $"no {service} price for {type} in {region} in {Source}; add it with --service-prices"
            : $"no prices for region {region} in {Source} (it has {string.Join(", ", Regions)}); add them with --service-prices";
        return null;
    }

    /// <summary>These prices with <paramref name="other"/>'s added (replacing the same region, service and type).</summary>
    public ServicePrices With(ServicePrices other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new ServicePrices(All.Concat(other.All), $"{Source} + {other.Source}");
    }

    /// <summary>Reads a price file: AWS offer JSON (<see cref="AwsPriceList.ReadServices(string, string)"/>) when it starts with <c>{</c>, else the CSV format.</summary>
    /// <exception cref="PriceFileException">Missing, malformed or without a usable price.</exception>
    public static ServicePrices Load(string path, string region = AwsPriceList.DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (PriceFile.IsJson(path))
            return AwsPriceList.ReadServices(path, region);
        using var reader = new StreamReader(path);
        return ReadCsv(reader, path);
    }

    /// <summary>Reads the CSV format (<see cref="CsvHeader"/>; <c>#</c> comments and blank lines skipped).</summary>
    /// <exception cref="PriceFileException">A line is malformed.</exception>
    public static ServicePrices ReadCsv(TextReader reader, string name)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var prices = new List<ServicePrice>();
        foreach (var (number, f) in PriceFile.Rows(reader, name, CsvHeader, " (or an AWS price-list JSON file)", " and one price a line"))
        {
            if (f.Length != 5)
                throw new PriceFileException(name, $"line {number}: expected 5 fields ({CsvHeader}), got {f.Length}");
            if (f[0].Length == 0 || f[1].Length == 0 || f[2].Length == 0)
                throw new PriceFileException(name, $"line {number}: region, service and type must not be empty");
            if (!Units.Contains(f[3]))
                throw new PriceFileException(name, $"line {number}: unit '{f[3]}' is not one of {string.Join(", ", Units)}");
            if (!decimal.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) || usd < 0)
                throw new PriceFileException(name, $"line {number}: price_usd '{f[4]}' is not a number of USD at or above 0");
            prices.Add(new ServicePrice(f[0], f[1].ToLowerInvariant(), f[2], f[3], usd));
        }
        if (prices.Count == 0)
            throw new PriceFileException(name, "the file lists no price");
        return new ServicePrices(prices, name);
    }

    private static (string, string, string) Key(string region, string service, string type) =>
        (region.ToLowerInvariant(), service.ToLowerInvariant(), type.ToLowerInvariant());

    private static ServicePrices LoadBuiltIn()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Prices/services-us-east-1.csv")
            ?? throw new InvalidOperationException("the built-in service price list is missing from the assembly");
        using var reader = new StreamReader(stream);
        return ReadCsv(reader, "built-in AWS service on-demand prices, us-east-1");
    }
}
