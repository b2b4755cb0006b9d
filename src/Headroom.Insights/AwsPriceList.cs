using System.Globalization;
using System.Text.Json;
using Headroom.Insights.Waste;

namespace Headroom.Insights;

/// <summary>
/// Reads AWS's bulk price-list JSON ("offer files") as a stream, for EC2 instance types (<see cref="Read(string, string)"/>:
/// a <see cref="PriceCatalog"/>) and for the services the waste rules price (<see cref="ReadServices(string, string)"/>:
/// <see cref="ServicePrices"/>) alike. <c>products.{sku}</c> give a product's <c>productFamily</c> and attributes;
/// <c>terms.OnDemand.{sku}.{term}.priceDimensions.{rate}</c> its unit and <c>pricePerUnit.USD</c>. One walk serves both:
/// only the products a caller keeps (of one region) are held, and each one's lowest non-zero on-demand price. The files are
/// gigabytes, so nothing is loaded as a document: a <see cref="Utf8JsonReader"/> walks the tokens over a refilled buffer.
/// </summary>
public static class AwsPriceList
{
    /// <summary>The region kept when none is given.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>Reads the EC2 instance types of the offer file at <paramref name="path"/> (Linux, shared tenancy, no pre-installed software, used capacity).</summary>
    /// <exception cref="PriceFileException">The file is not an offer file, is malformed, or has no usable price.</exception>
    public static PriceCatalog Read(string path, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path);
        return Read(stream, path, region);
    }

    /// <summary>Reads EC2 instance types from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="PriceFileException">The content is not an offer file, is malformed, or has no usable price.</exception>
    public static PriceCatalog Read(Stream stream, string name, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var offers = new Dictionary<string, InstanceOffer>(StringComparer.OrdinalIgnoreCase);
        var file = Walk(stream, name, region, IsInstance, static unit => unit is null || unit.StartsWith("Hrs", StringComparison.OrdinalIgnoreCase));
        foreach (var (sku, attributes) in file.Kept)
        {
            // Every kept product is checked, priced or not: a malformed file is said, not half read.
            var offer = Instance(name, sku, attributes, file.Prices.GetValueOrDefault(sku));
            if (!file.Prices.ContainsKey(sku))
                continue;
            if (!offers.TryGetValue(offer.Name, out var known) || offer.HourlyUsd < known.HourlyUsd)
                offers[offer.Name] = offer;
        }
        if (offers.Count == 0)
        {
            throw new PriceFileException(name,
                $"no on-demand hourly price for a Linux, shared-tenancy instance in region {region} among {file.Products} products; check the region (--region) or the file");
        }
        return new PriceCatalog(offers.Values, $"{name} (AWS price list, {region}, on-demand Linux)");
    }

    /// <summary>
    /// Reads the prices the waste rules use — of AmazonRDS, AmazonElastiCache, AmazonRedshift, AWSELB, AWSLambda,
    /// AmazonDynamoDB or AmazonEC2 (its EBS <c>Storage</c> and <c>NAT Gateway</c> products) — from the offer file at
    /// <paramref name="path"/>: each product the rules price (<see cref="Classify"/>) with its lowest non-zero on-demand price.
    /// </summary>
    /// <exception cref="PriceFileException">Not an offer file, malformed, or no usable price in the region.</exception>
    public static ServicePrices ReadServices(string path, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = Open(path);
        return ReadServices(stream, path, region);
    }

    /// <summary>Reads service prices from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="PriceFileException">Not an offer file, malformed, or no usable price in the region.</exception>
    public static ServicePrices ReadServices(Stream stream, string name, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var file = Walk(stream, name, region, static a => Classify(a) is not null, static _ => true);
        var prices = new Dictionary<(string, string), ServicePrice>();
        foreach (var (sku, attributes) in file.Kept)
        {
            if (!file.Prices.TryGetValue(sku, out var usd))
                continue;
            var p = Classify(attributes)!.Value;
            if (!prices.TryGetValue((p.Service, p.Type), out var known) || usd < known.Usd)
                prices[(p.Service, p.Type)] = new ServicePrice(region, p.Service, p.Type, p.Unit, usd);
        }
        if (prices.Count == 0)
        {
            throw new PriceFileException(name,
                $"no on-demand price of a load balancer, NAT gateway, EBS volume, Lambda, DynamoDB, RDS (MySQL, Single-AZ), ElastiCache or Redshift product in region {region} among {file.Products} products; check the region (--region) or the file");
        }
        return new ServicePrices(prices.Values, $"{name} (AWS price list, {region})");
    }

    /// <summary>
    /// The service, type and unit a product's attributes describe, or null when it is not one the waste rules price.
    /// RDS is MySQL Single-AZ and ElastiCache Redis, as the built-in list.
    /// </summary>
    internal static (string Service, string Type, string Unit)? Classify(IReadOnlyDictionary<string, string> a)
    {
        string A(string key) => a.TryGetValue(key, out var v) ? v : "";
        bool Is(string key, string value) => string.Equals(A(key), value, StringComparison.OrdinalIgnoreCase);
        var usage = A("usagetype");
        return A("productFamily") switch
        {
            "Database Instance" when Is("databaseEngine", "MySQL") && Is("deploymentOption", "Single-AZ") && A("instanceType").Length > 0
                => ("rds", A("instanceType"), "hour"),
            "Cache Instance" when (Is("cacheEngine", "Redis") || A("cacheEngine").Length == 0) && A("instanceType").Length > 0
                => ("elasticache", A("instanceType"), "hour"),
            "Compute Instance" when Is("servicecode", "AmazonRedshift") && A("instanceType").Length > 0
                => ("redshift", A("instanceType"), "hour"),
            "Storage" when A("volumeApiName").Length > 0 => ("ebs", A("volumeApiName"), "gb_month"),
            "NAT Gateway" when usage.EndsWith("NatGateway-Hours", StringComparison.Ordinal) => ("nat", "gateway", "hour"),
            "Load Balancer-Application" when usage.EndsWith("LoadBalancerUsage", StringComparison.Ordinal) => ("elb", "application", "hour"),
            "Load Balancer-Network" when usage.EndsWith("LoadBalancerUsage", StringComparison.Ordinal) => ("elb", "network", "hour"),
            "Load Balancer" when usage.EndsWith("LoadBalancerUsage", StringComparison.Ordinal) => ("elb", "classic", "hour"),
            "Serverless" when Is("group", "AWS-Lambda-Duration") => ("lambda", "x86_64", "gb_second"),
            "Serverless" when Is("group", "AWS-Lambda-Duration-ARM") => ("lambda", "arm64", "gb_second"),
            "Provisioned IOPS" when Is("group", "DDB-ReadUnits") => ("dynamodb", "read", "unit_hour"),
            "Provisioned IOPS" when Is("group", "DDB-WriteUnits") => ("dynamodb", "write", "unit_hour"),
            _ => null,
        };
    }

    /// <summary>An EC2 instance type of Linux, shared tenancy, no pre-installed software, used capacity (EC2's other products are not).</summary>
    private static bool IsInstance(IReadOnlyDictionary<string, string> a)
    {
        string A(string key) => a.TryGetValue(key, out var v) ? v : "";
        bool IsOrAbsent(string key, string expected) => !a.ContainsKey(key) || string.Equals(A(key), expected, StringComparison.OrdinalIgnoreCase);
        return A("instanceType").Length > 0
            // Redshift, RDS and ElastiCache products carry an instanceType too; EC2's are Compute Instances with an operating system.
            && string.Equals(A("operatingSystem"), "Linux", StringComparison.OrdinalIgnoreCase)
            && string.Equals(A("tenancy"), "Shared", StringComparison.OrdinalIgnoreCase)
            && IsOrAbsent("preInstalledSw", "NA")
            && IsOrAbsent("capacitystatus", "Used");
    }

    private static InstanceOffer Instance(string name, string sku, IReadOnlyDictionary<string, string> a, decimal price)
    {
        string A(string key) => a.TryGetValue(key, out var v) ? v : "";
        var type = A("instanceType");
        if (!int.TryParse(A("vcpu"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var vcpu) || vcpu < 1)
            throw new PriceFileException(name, $"product {sku} ({type}): vcpu '{A("vcpu")}' is not a positive whole number");
        var memoryText = A("memory");
        var number = memoryText.Replace("GiB", "", StringComparison.OrdinalIgnoreCase).Replace(",", "", StringComparison.Ordinal).Trim();
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var memory) || !(memory > 0))
            throw new PriceFileException(name, $"product {sku} ({type}): memory '{memoryText}' is not a size such as '8 GiB'");
        return new InstanceOffer(type, vcpu, memory, price);
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new PriceFileException(path, "the file does not exist");
        }
    }

    /// <summary>What a walk kept: each kept product's attributes by SKU, the lowest accepted price by SKU, and how many products the file had.</summary>
    private sealed record OfferFile(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Kept, IReadOnlyDictionary<string, decimal> Prices, long Products);

    /// <summary>Walks an offer file once, keeping the products of <paramref name="region"/> that <paramref name="keep"/> accepts.</summary>
    /// <param name="acceptUnit">Which price units count (EC2: hours only).</param>
    private static OfferFile Walk(Stream stream, string name, string region, Func<IReadOnlyDictionary<string, string>, bool> keep, Func<string?, bool> acceptUnit)
    {
        var walker = new OfferWalker(name, region, keep, acceptUnit);
        PriceFile.Walk(stream, name, walker.Token);
        return walker.Finish();
    }

    /// <summary>The state of the walk: the property name at each depth, and what has been kept so far.</summary>
    private sealed class OfferWalker(string name, string region, Func<IReadOnlyDictionary<string, string>, bool> keep, Func<string?, bool> acceptUnit)
    {
        private const int MaxTrackedDepth = 9;
        private readonly string?[] _names = new string?[MaxTrackedDepth + 1];
        private Dictionary<string, string> _attributes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _products = new(StringComparer.Ordinal);
        private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
        private bool _sawRoot;
        private bool _sawProducts;
        private bool _sawOnDemand;
        private long _productCount;
        private string? _unit;
        private decimal? _usd;

        public void Token(ref Utf8JsonReader reader)
        {
            var depth = reader.CurrentDepth;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when depth == 0:
                    _sawRoot = true;
                    break;
                case JsonTokenType.StartArray when depth == 0:
                case JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null when depth == 0:
                    throw new PriceFileException(name, "expected a JSON object at the top level (an AWS offer file with 'products' and 'terms')");
                case JsonTokenType.PropertyName when depth <= MaxTrackedDepth:
                    _names[depth] = reader.GetString();
                    if (depth < MaxTrackedDepth)
                        _names[depth + 1] = null;
                    break;
                case JsonTokenType.StartObject when depth == 1 && Is(1, "products"):
                    _sawProducts = true;
                    break;
                case JsonTokenType.StartObject when depth == 2 && InOnDemand:
                    _sawOnDemand = true;
                    break;
                case JsonTokenType.StartObject when depth == 2 && Is(1, "products"):
                    _attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                    break;
                case JsonTokenType.StartObject when depth == 6 && InPriceDimensions:
                    _unit = null;
                    _usd = null;
                    break;
                case JsonTokenType.EndObject when depth == 2 && Is(1, "products") && _names[2] is { } sku:
                    _productCount++;
                    if ((!_attributes.TryGetValue("regionCode", out var r) || string.Equals(r, region, StringComparison.OrdinalIgnoreCase)) && keep(_attributes))
                        _products[sku] = _attributes;
                    break;
                case JsonTokenType.EndObject when depth == 6 && InPriceDimensions && _names[3] is { } termSku:
                    // A zero price is a free tier or placeholder, not an offer; of tiered or repeated prices the lowest is kept,
                    // so a saving is never overstated. Terms before products (not AWS's order) are kept until the join.
                    if (_usd is { } usd && usd > 0 && acceptUnit(_unit) && (!_sawProducts || _products.ContainsKey(termSku))
                        && (!_prices.TryGetValue(termSku, out var known) || usd < known))
                    {
                        _prices[termSku] = usd;
                    }
                    break;
                // productFamily sits beside the attributes, one level up.
                case JsonTokenType.String when depth == 3 && Is(1, "products") && _names[3] is { } field:
                    _attributes[field] = reader.GetString() ?? "";
                    break;
                case JsonTokenType.String when depth == 4 && Is(1, "products") && Is(3, "attributes") && _names[4] is { } attribute:
                    _attributes[attribute] = reader.GetString() ?? "";
                    break;
                case JsonTokenType.String when depth == 7 && InPriceDimensions && Is(7, "unit"):
                    _unit = reader.GetString();
                    break;
                case JsonTokenType.String when depth == 8 && InPriceDimensions && Is(7, "pricePerUnit") && Is(8, "USD"):
                    var text = reader.GetString() ?? "";
                    if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) || price < 0)
                        throw new PriceFileException(name, $"SKU {_names[3]}: pricePerUnit.USD '{PriceFile.Shorten(text)}' is not a price");
                    _usd = price;
                    break;
            }
        }

        private bool Is(int depth, string value) => string.Equals(_names[depth], value, StringComparison.Ordinal);

        private bool InOnDemand => Is(1, "terms") && Is(2, "OnDemand");

        private bool InPriceDimensions => InOnDemand && Is(5, "priceDimensions");

        public OfferFile Finish()
        {
            if (!_sawRoot)
                throw new PriceFileException(name, "the file is empty");
            if (!_sawProducts)
                throw new PriceFileException(name, "no 'products' object: not an AWS price-list offer file (the index of them is https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json)");
            if (!_sawOnDemand)
                throw new PriceFileException(name, "no 'terms.OnDemand' object: the offer file has no on-demand prices");
            return new OfferFile(_products, _prices, _productCount);
        }
    }
}
