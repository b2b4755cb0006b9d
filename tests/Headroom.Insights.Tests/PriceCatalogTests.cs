using System.Text;
using Headroom.Fleet;

namespace Headroom.Insights.Tests;

public sealed class PriceCatalogTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("headroom-prices-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Built_in_catalog_has_every_type_the_simulated_fleet_uses()
    {
        foreach (var (type, _) in InstanceType.Catalog)
        {
            var offer = PriceCatalog.BuiltIn.Find(type.Name);
            Assert.NotNull(offer);
            Assert.Equal(type.VCpus, offer.VCpus);
            Assert.Equal(type.MemoryGiB, offer.MemoryGiB);
            Assert.True(offer.HourlyUsd > 0);
        }
        Assert.Equal(0.096m, PriceCatalog.BuiltIn.Find("m5.large")!.HourlyUsd);
        Assert.Equal(0.096m * 730, PriceCatalog.BuiltIn.Find("M5.LARGE")!.MonthlyUsd);
        Assert.Null(PriceCatalog.BuiltIn.Find("x9.huge"));
        Assert.Equal(["c5", "c6i", "m5", "m6i", "r5", "r6i", "t3"], PriceCatalog.BuiltIn.Offers.Select(o => o.Family).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Aws_offer_file_keeps_linux_shared_used_on_demand_prices_of_the_region()
    {
        var catalog = PriceCatalog.Load(Path.Combine(AppContext.BaseDirectory, "testdata", "aws-offer-sample.json"));
        Assert.Equal(["m5.large", "m5.xlarge", "t3.nano"], catalog.Offers.Select(o => o.Name).Order(StringComparer.Ordinal));
        var large = catalog.Find("m5.large")!;
        Assert.Equal(new InstanceOffer("m5.large", 2, 8, 0.096m), large);
        Assert.Equal(new InstanceOffer("t3.nano", 2, 0.5, 0.0052m), catalog.Find("t3.nano"));
        Assert.Equal(0.192m, catalog.Find("m5.xlarge")!.HourlyUsd);
        Assert.Contains("AWS price list", catalog.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Aws_offer_file_of_another_region_is_refused_with_the_region_named()
    {
        var catalog = PriceCatalog.Load(Path.Combine(AppContext.BaseDirectory, "testdata", "aws-offer-sample.json"), "us-west-2");
        Assert.Equal(["m5.large"], catalog.Offers.Select(o => o.Name));
        var e = Assert.Throws<PriceFileException>(() => PriceCatalog.Load(Path.Combine(AppContext.BaseDirectory, "testdata", "aws-offer-sample.json"), "ap-south-1"));
        Assert.Contains("ap-south-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Aws_offer_file_is_read_as_a_stream_across_buffer_boundaries_and_long_tokens()
    {
        // Thousands of products (more than one 64 KiB buffer) and one attribute longer than the buffer.
        var json = new StringBuilder("{\"products\":{");
        for (var i = 0; i < 3000; i++)
        {
            json.Append(i == 0 ? "" : ",").Append($"\"S{i}\":{{\"sku\":\"S{i}\",\"attributes\":{{\"instanceType\":\"z{i}.large\",\"vcpu\":\"{1 + (i % 8)}\",\"memory\":\"1,024 GiB\",")
                .Append("\"tenancy\":\"Shared\",\"operatingSystem\":\"Linux\",\"note\":\"").Append(i == 1500 ? new string('x', 200_000) : "n").Append("\"}}");
        }
        json.Append("},\"terms\":{\"OnDemand\":{");
        for (var i = 0; i < 3000; i++)
            json.Append(i == 0 ? "" : ",").Append($"\"S{i}\":{{\"S{i}.T\":{{\"priceDimensions\":{{\"S{i}.T.R\":{{\"unit\":\"Hrs\",\"pricePerUnit\":{{\"USD\":\"{i + 1}.5\"}}}}}}}}}}");
        json.Append("}}}");
        var path = Write("big.json", json.ToString());

        var catalog = PriceCatalog.Load(path);

        Assert.Equal(3000, catalog.Offers.Count);
        Assert.Equal(new InstanceOffer("z1500.large", 5, 1024, 1501.5m), catalog.Find("z1500.large"));
    }

    [Theory]
    [InlineData("{\"products\":{\"A\":{\"attributes\":{\"instanceType\":\"m5.large\"", "not valid JSON")]
    [InlineData("{\"products\":{}, \"terms\":{\"OnDemand\":{}}} trailing", "not valid JSON")]
    [InlineData("{\"formatVersion\":\"v1.0\"}", "no 'products' object")]
    [InlineData("{\"products\":{}}", "no 'terms.OnDemand' object")]
    [InlineData("{\"products\":{},\"terms\":{\"OnDemand\":{}}}", "no on-demand hourly price")]
    [InlineData("{\"products\":{\"A\":{\"attributes\":{\"instanceType\":\"m5.large\",\"vcpu\":\"two\",\"memory\":\"8 GiB\",\"tenancy\":\"Shared\",\"operatingSystem\":\"Linux\"}}},\"terms\":{\"OnDemand\":{}}}", "vcpu 'two'")]
    [InlineData("{\"products\":{\"A\":{\"attributes\":{\"instanceType\":\"m5.large\",\"vcpu\":\"2\",\"memory\":\"lots\",\"tenancy\":\"Shared\",\"operatingSystem\":\"Linux\"}}},\"terms\":{\"OnDemand\":{}}}", "memory 'lots'")]
    [InlineData("{\"products\":{},\"terms\":{\"OnDemand\":{\"A\":{\"A.T\":{\"priceDimensions\":{\"A.T.R\":{\"unit\":\"Hrs\",\"pricePerUnit\":{\"USD\":\"cheap\"}}}}}}}}", "'cheap' is not a price")]
    public void Bad_aws_files_give_errors_naming_the_file_and_the_problem(string content, string problem)
    {
        var path = Write("offer.json", content);
        var e = Assert.Throws<PriceFileException>(() => PriceCatalog.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_file_replaces_the_catalog()
    {
        var path = Write("prices.csv", "# my prices\ninstance_type,vcpu,memory_gib,price_per_hour\nm5.large,2,8,0.1\n\nc7g.medium,1,2,0.0363\n");
        var catalog = PriceCatalog.Load(path);
        Assert.Equal([new InstanceOffer("c7g.medium", 1, 2, 0.0363m), new InstanceOffer("m5.large", 2, 8, 0.1m)], catalog.Offers);
        Assert.Equal("c7g", catalog.Offers[0].Family);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("type,price\nm5.large,0.1\n", "line 1: expected the header")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\nm5.large,2,8\n", "line 2: expected 4 fields")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\nm5.large,two,8,0.1\n", "line 2: vcpu 'two'")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\nm5.large,2,-8,0.1\n", "line 2: memory_gib '-8'")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\nm5.large,2,8,free\n", "line 2: price_per_hour 'free'")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\nm5.large,2,8,0.1\nm5.large,2,8,0.2\n", "line 3: instance type m5.large appears twice")]
    [InlineData("instance_type,vcpu,memory_gib,price_per_hour\n", "lists no instance type")]
    public void Bad_csv_files_give_errors_naming_the_file_the_line_and_the_problem(string content, string problem)
    {
        var path = Write("prices.csv", content);
        var e = Assert.Throws<PriceFileException>(() => PriceCatalog.Load(path));
        Assert.StartsWith($"price file {path}: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var path = Path.Combine(_directory.FullName, "nope.json");
        var e = Assert.Throws<PriceFileException>(() => PriceCatalog.Load(path));
        Assert.Equal($"price file {path}: the file does not exist", e.Message);
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
