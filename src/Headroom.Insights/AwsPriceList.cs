using System.Globalization;
using System.Text.Json;

namespace Headroom.Insights;

/// <summary>
/// Reads AWS's bulk price-list JSON (an EC2 "offer file") as a stream: <c>products.{sku}.attributes</c> give the
/// instance type, vCPUs and memory; <c>terms.OnDemand.{sku}.{term}.priceDimensions.{rate}.pricePerUnit.USD</c>
/// the hourly price. Only Linux, shared-tenancy, no pre-installed software, used-capacity products of one region
/// are kept. The files are gigabytes, so nothing is loaded as a document: a <see cref="Utf8JsonReader"/> walks
/// the tokens over a refilled buffer and only the kept products' attributes are held in memory.
/// </summary>
public static class AwsPriceList
{
    /// <summary>The region kept when none is given.</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>Reads the offer file at <paramref name="path"/>.</summary>
    /// <exception cref="PriceFileException">The file is not an offer file, is malformed, or has no usable price.</exception>
    public static PriceCatalog Read(string path, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            return Read(stream, path, region);
        }
        catch (FileNotFoundException)
        {
            throw new PriceFileException(path, "the file does not exist");
        }
    }

    /// <summary>Reads an offer file from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="PriceFileException">The content is not an offer file, is malformed, or has no usable price.</exception>
    public static PriceCatalog Read(Stream stream, string name, string region = DefaultRegion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var walker = new OfferWalker(name, region);
        Walk(stream, name, walker.Token);
        return walker.Finish();
    }

    /// <summary>A handler of each JSON token of an offer file.</summary>
    internal delegate void TokenHandler(ref Utf8JsonReader reader);

    /// <summary>
    /// Streams the tokens of <paramref name="stream"/> to <paramref name="token"/> over a refilled buffer (offer files are
    /// gigabytes); malformed JSON becomes a <see cref="PriceFileException"/> naming <paramref name="name"/> and the place.
    /// </summary>
    internal static void Walk(Stream stream, string name, TokenHandler token)
    {
        var buffer = new byte[1 << 16];
        var length = 0;
        var final = false;
        var state = new JsonReaderState();
        long consumedBefore = 0;
        try
        {
            while (true)
            {
                while (!final && length < buffer.Length)
                {
                    var read = stream.Read(buffer, length, buffer.Length - length);
                    if (read == 0)
                        final = true;
                    length += read;
                }
                var reader = new Utf8JsonReader(buffer.AsSpan(0, length), final, state);
                while (reader.Read())
                    token(ref reader);
                if (final)
                    break;
                var consumed = (int)reader.BytesConsumed;
                consumedBefore += consumed;
                state = reader.CurrentState;
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
                // One token larger than the buffer (a very long string): grow until it fits.
                if (length == buffer.Length)
                    Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, byte {e.BytePositionInLine + 1}" : $" near byte {consumedBefore}";
            throw new PriceFileException(name, $"not valid JSON{where}: {FirstSentence(e.Message)}", e);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    /// <summary>The state of the walk: the property name at each depth, and what has been kept so far.</summary>
    private sealed class OfferWalker(string name, string region)
    {
        private const int MaxTrackedDepth = 9;
        private readonly string?[] _names = new string?[MaxTrackedDepth + 1];
        private readonly Dictionary<string, string> _attributes = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (string Type, int VCpus, double MemoryGiB)> _products = new(StringComparer.Ordinal);
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
                case JsonTokenType.StartObject:
                    StartObject(depth);
                    break;
                case JsonTokenType.EndObject:
                    EndObject(depth);
                    break;
                case JsonTokenType.String:
                    Value(ref reader, depth);
                    break;
            }
        }

        private bool Under(string first) => string.Equals(_names[1], first, StringComparison.Ordinal);

        private bool InOnDemand => Under("terms") && string.Equals(_names[2], "OnDemand", StringComparison.Ordinal);

        private void StartObject(int depth)
        {
            if (depth == 1 && Under("products"))
                _sawProducts = true;
            else if (depth == 2 && InOnDemand)
                _sawOnDemand = true;
            else if (depth == 2 && Under("products"))
                _attributes.Clear();
            else if (depth == 6 && InOnDemand && string.Equals(_names[5], "priceDimensions", StringComparison.Ordinal))
            {
                _unit = null;
                _usd = null;
            }
        }

        private void EndObject(int depth)
        {
            if (depth == 2 && Under("products") && _names[2] is { } sku)
                EndProduct(sku);
            else if (depth == 6 && InOnDemand && string.Equals(_names[5], "priceDimensions", StringComparison.Ordinal) && _names[3] is { } termSku)
                EndPriceDimension(termSku);
        }

        private void Value(ref Utf8JsonReader reader, int depth)
        {
            if (depth == 4 && Under("products") && string.Equals(_names[3], "attributes", StringComparison.Ordinal) && _names[4] is { } attribute)
            {
                _attributes[attribute] = reader.GetString() ?? "";
            }
            else if (depth == 7 && InOnDemand && string.Equals(_names[5], "priceDimensions", StringComparison.Ordinal) && string.Equals(_names[7], "unit", StringComparison.Ordinal))
            {
                _unit = reader.GetString();
            }
            else if (depth == 8 && InOnDemand && string.Equals(_names[7], "pricePerUnit", StringComparison.Ordinal) && string.Equals(_names[8], "USD", StringComparison.Ordinal))
            {
                var text = reader.GetString() ?? "";
                if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var usd) || usd < 0)
                    throw new PriceFileException(name, $"SKU {_names[3]}: pricePerUnit.USD '{PriceFile.Shorten(text)}' is not a price");
                _usd = usd;
            }
        }

        private void EndProduct(string sku)
        {
            _productCount++;
            if (!Keep())
                return;
            var type = _attributes["instanceType"];
            if (!int.TryParse(Attribute("vcpu"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var vcpu) || vcpu < 1)
                throw new PriceFileException(name, $"product {sku} ({type}): vcpu '{Attribute("vcpu")}' is not a positive whole number");
            var memoryText = Attribute("memory");
            var number = memoryText.Replace("GiB", "", StringComparison.OrdinalIgnoreCase).Replace(",", "", StringComparison.Ordinal).Trim();
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var memory) || !(memory > 0))
                throw new PriceFileException(name, $"product {sku} ({type}): memory '{memoryText}' is not a size such as '8 GiB'");
            _products[sku] = (type, vcpu, memory);
        }

        /// <summary>Linux, shared tenancy, no pre-installed software, used capacity, in the region (when the file says).</summary>
        private bool Keep() =>
            Attribute("instanceType").Length > 0
            && Is("operatingSystem", "Linux")
            && Is("tenancy", "Shared")
            && IsOrAbsent("preInstalledSw", "NA")
            && IsOrAbsent("capacitystatus", "Used")
            && IsOrAbsent("regionCode", region);

        private string Attribute(string key) => _attributes.TryGetValue(key, out var value) ? value : "";

        private bool Is(string key, string expected) => string.Equals(Attribute(key), expected, StringComparison.OrdinalIgnoreCase);

        private bool IsOrAbsent(string key, string expected) => !_attributes.ContainsKey(key) || Is(key, expected);

        private void EndPriceDimension(string sku)
        {
            // Hourly prices only; a zero price is a placeholder (e.g. reserved capacity), not an offer.
            if (_usd is not { } usd || usd == 0 || (_unit is not null && !_unit.StartsWith("Hrs", StringComparison.OrdinalIgnoreCase)))
                return;
            if (_sawProducts && !_products.ContainsKey(sku))
                return;
            if (!_prices.TryGetValue(sku, out var known) || usd < known)
                _prices[sku] = usd;
        }

        public PriceCatalog Finish()
        {
            if (!_sawRoot)
                throw new PriceFileException(name, "the file is empty");
            if (!_sawProducts)
                throw new PriceFileException(name, "no 'products' object: not an AWS price-list offer file (download one from https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/region_index.json)");
            if (!_sawOnDemand)
                throw new PriceFileException(name, "no 'terms.OnDemand' object: the offer file has no on-demand prices");
            var offers = new Dictionary<string, InstanceOffer>(StringComparer.OrdinalIgnoreCase);
            foreach (var (sku, product) in _products)
            {
                if (!_prices.TryGetValue(sku, out var price))
                    continue;
                if (!offers.TryGetValue(product.Type, out var known) || price < known.HourlyUsd)
                    offers[product.Type] = new InstanceOffer(product.Type, product.VCpus, product.MemoryGiB, price);
            }
            if (offers.Count == 0)
            {
                throw new PriceFileException(name,
                    $"no on-demand hourly price for a Linux, shared-tenancy instance in region {region} among {_productCount} products; check the region (--region) or the file");
            }
            return new PriceCatalog(offers.Values, $"{name} (AWS price list, {region}, on-demand Linux)");
        }
    }
}
