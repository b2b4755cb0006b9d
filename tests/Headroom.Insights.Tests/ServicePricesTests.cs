using Headroom.Insights.Waste;
using Xunit;

namespace Headroom.Insights.Tests;

public sealed class ServicePricesTests
{
    private static string Sample => Path.Combine(AppContext.BaseDirectory, "testdata", "aws-service-offer-sample.json");

    [Fact]
    public void The_built_in_list_prices_every_kind_in_us_east_1()
    {
        var p = ServicePrices.BuiltIn;
        foreach (var (service, type) in new[] { ("elb", "application"), ("elb", "network"), ("elb", "classic"), ("nat", "gateway"), ("ebs", "gp3"),
            ("lambda", "x86_64"), ("dynamodb", "read"), ("dynamodb", "write"), ("rds", "db.m5.large"), ("elasticache", "cache.m5.large"), ("redshift", "ra3.xlplus") })
        {
            Assert.NotNull(p.Find("us-east-1", service, type, out var missing));
            Assert.Null(missing);
        }
        Assert.Null(p.Find("eu-west-1", "nat", "gateway", out var note));
        Assert.Contains("no prices for region eu-west-1", note, StringComparison.Ordinal);
    }

    [Fact]
    public void An_aws_offer_file_gives_the_services_prices_of_its_region()
    {
        var p = ServicePrices.Load(Sample, "eu-west-1");
        Assert.Equal(0.19m, p.Find("eu-west-1", "rds", "db.m5.large", out _)!.Usd); // Single-AZ only
        Assert.Equal(0.088m, p.Find("eu-west-1", "ebs", "gp3", out _)!.Usd);
        Assert.Equal("gb_month", p.Find("eu-west-1", "ebs", "gp3", out _)!.Unit);
        Assert.Equal(0.048m, p.Find("eu-west-1", "nat", "gateway", out _)!.Usd);
        Assert.Equal(0.0252m, p.Find("eu-west-1", "elb", "application", out _)!.Usd);
        Assert.Equal(0.000147m, p.Find("eu-west-1", "dynamodb", "read", out _)!.Usd); // the free tier's 0 is skipped
        Assert.Null(p.Find("us-east-1", "rds", "db.m5.large", out _));
        // Added to the built-in list, both regions are priced.
        var both = ServicePrices.BuiltIn.With(p);
        Assert.NotNull(both.Find("us-east-1", "rds", "db.m5.large", out _));
        Assert.NotNull(both.Find("eu-west-1", "rds", "db.m5.large", out _));
    }

    [Fact]
    public void An_offer_file_without_the_region_says_so()
    {
        var e = Assert.Throws<PriceFileException>(() => ServicePrices.Load(Sample, "ap-south-1"));
        Assert.Contains("in region ap-south-1 among 7 products", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("region,service,type,unit,price_usd\nus-east-1,rds,db.m5.large,hour,cheap\n", "line 2: price_usd 'cheap' is not a number")]
    [InlineData("region,service,type,unit,price_usd\nus-east-1,rds,db.m5.large,day,1\n", "line 2: unit 'day' is not one of hour, gb_month, gb_second, unit_hour")]
    [InlineData("region,service,type,unit\n", "line 1: expected the header 'region,service,type,unit,price_usd'")]
    [InlineData("region,service,type,unit,price_usd\nus-east-1,rds,1\n", "line 2: expected 5 fields")]
    [InlineData("# nothing\n", "the file is empty")]
    public void A_bad_csv_names_the_line_and_the_problem(string text, string message)
    {
        var e = Assert.Throws<PriceFileException>(() => ServicePrices.ReadCsv(new StringReader(text), "prices.csv"));
        Assert.StartsWith("price file prices.csv: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
