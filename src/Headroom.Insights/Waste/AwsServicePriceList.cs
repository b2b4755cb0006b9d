using System.Globalization;
using System.Text.Json;

namespace Headroom.Insights.Waste;

/// <summary>
/// Reads AWS's bulk price-list JSON of the services the waste rules price — AmazonRDS, AmazonElastiCache,
/// AmazonRedshift, AWSELB, AWSLambda, AmazonDynamoDB and AmazonEC2 (its EBS <c>Storage</c> and <c>NAT Gateway</c>
/// products) — streamed as <see cref="AwsPriceList"/> streams EC2's. A product is kept by its
/// <c>productFamily</c> and attributes (see docs/insights.md); its non-zero on-demand price becomes a
/// <see cref="ServicePrice"/>. Several files can be given, one per service.
/// </summary>
public static class AwsServicePriceList
{
    /// <summary>Reads the offer file at <paramref name="path"/>, keeping <paramref name="region"/>'s prices.</summary>
    /// <exception cref="PriceFileException">Not an offer file, malformed, or no usable price.</exception>
    public static ServicePrices Read(string path, string region = AwsPriceList.DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new PriceFileException(path, "the file does not exist");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(stream, path, region);
    }

    /// <summary>Reads an offer file from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="PriceFileException">Not an offer file, malformed, or no usable price.</exception>
    public static ServicePrices Read(Stream stream, string name, string region = AwsPriceList.DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var walker = new Walker(name, region);
        AwsPriceList.Walk(stream, name, walker.Token);
        return walker.Finish();
    }

    /// <summary>
    /// The service, type and unit a product's attributes describe, or null when it is not one the rules price.
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

    private sealed class Walker(string name, string region)
    {
        private const int MaxTrackedDepth = 9;
        private readonly string?[] _names = new string?[MaxTrackedDepth + 1];
        private readonly Dictionary<string, string> _attributes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Service, string Type, string Unit)> _products = new(StringComparer.Ordinal);
        private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
        private bool _sawProducts;
        private bool _sawOnDemand;
        private long _productCount;
        private decimal? _usd;

        public void Token(ref Utf8JsonReader reader)
        {
            var depth = reader.CurrentDepth;
            switch (reader.TokenType)
            {
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
                case JsonTokenType.StartObject when depth == 2 && Is(1, "terms") && Is(2, "OnDemand"):
                    _sawOnDemand = true;
                    break;
                case JsonTokenType.StartObject when depth == 2 && Is(1, "products"):
                    _attributes.Clear();
                    break;
                case JsonTokenType.StartObject when depth == 6 && InPriceDimensions:
                    _usd = null;
                    break;
                case JsonTokenType.EndObject when depth == 2 && Is(1, "products") && _names[2] is { } sku:
                    _productCount++;
                    if (Classify(_attributes) is { } product && (!_attributes.TryGetValue("regionCode", out var r) || string.Equals(r, region, StringComparison.OrdinalIgnoreCase)))
                        _products[sku] = product;
                    break;
                case JsonTokenType.EndObject when depth == 6 && InPriceDimensions && _names[3] is { } termSku:
                    // A zero price is a free tier or placeholder; of tiered prices the lowest is kept, so a saving is never overstated.
                    if (_usd is { } usd && usd > 0 && _products.ContainsKey(termSku) && (!_prices.TryGetValue(termSku, out var known) || usd < known))
                        _prices[termSku] = usd;
                    break;
                // productFamily sits beside the attributes, one level up.
                case JsonTokenType.String when depth == 3 && Is(1, "products") && _names[3] is { } field:
                    _attributes[field] = reader.GetString() ?? "";
                    break;
                case JsonTokenType.String when depth == 4 && Is(1, "products") && Is(3, "attributes") && _names[4] is { } attribute:
                    _attributes[attribute] = reader.GetString() ?? "";
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

        private bool InPriceDimensions => Is(1, "terms") && Is(2, "OnDemand") && Is(5, "priceDimensions");

        public ServicePrices Finish()
        {
            if (!_sawProducts)
                throw new PriceFileException(name, "no 'products' object: not an AWS price-list offer file (see https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/index.json)");
            if (!_sawOnDemand)
                throw new PriceFileException(name, "no 'terms.OnDemand' object: the offer file has no on-demand prices");
            var prices = new Dictionary<(string, string), ServicePrice>();
            foreach (var (sku, p) in _products)
            {
                if (!_prices.TryGetValue(sku, out var usd))
                    continue;
                if (!prices.TryGetValue((p.Service, p.Type), out var known) || usd < known.Usd)
                    prices[(p.Service, p.Type)] = new ServicePrice(region, p.Service, p.Type, p.Unit, usd);
            }
            if (prices.Count == 0)
            {
                throw new PriceFileException(name,
                    $"no on-demand price of a load balancer, NAT gateway, EBS volume, Lambda, DynamoDB, RDS (MySQL, Single-AZ), ElastiCache or Redshift product in region {region} among {_productCount} products; check the region (--region) or the file");
            }
            return new ServicePrices(prices.Values, $"{name} (AWS price list, {region})");
        }
    }
}
