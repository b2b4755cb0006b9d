using Headroom.Insights.Waste;
using Xunit;

namespace Headroom.Insights.Tests;

/// <summary>
/// One reader of AWS offer files serves EC2 instance types and the waste rules' services: an AmazonEC2 file holds both
/// (instances, EBS storage, NAT gateways), and each reading keeps only its own products.
/// </summary>
public sealed class AwsPriceListTests
{
    /// <summary>An AmazonEC2 offer file in AWS's layout: a Linux and a Windows m5.large, gp3 storage and a NAT gateway in eu-west-1, gp3 in us-east-1.</summary>
    private const string Ec2Offer = """
        {"formatVersion":"v1.0","offerCode":"AmazonEC2",
         "products":{
          "LIN":{"sku":"LIN","productFamily":"Compute Instance","attributes":{"regionCode":"eu-west-1","instanceType":"m5.large","vcpu":"2","memory":"8 GiB","operatingSystem":"Linux","tenancy":"Shared","preInstalledSw":"NA","capacitystatus":"Used"}},
          "WIN":{"sku":"WIN","productFamily":"Compute Instance","attributes":{"regionCode":"eu-west-1","instanceType":"m5.large","vcpu":"2","memory":"8 GiB","operatingSystem":"Windows","tenancy":"Shared","preInstalledSw":"NA","capacitystatus":"Used"}},
          "GP3":{"sku":"GP3","productFamily":"Storage","attributes":{"regionCode":"eu-west-1","volumeApiName":"gp3","usagetype":"EU-EBS:VolumeUsage.gp3"}},
          "NAT":{"sku":"NAT","productFamily":"NAT Gateway","attributes":{"regionCode":"eu-west-1","usagetype":"EU-NatGateway-Hours"}},
          "GP3US":{"sku":"GP3US","productFamily":"Storage","attributes":{"regionCode":"us-east-1","volumeApiName":"gp3","usagetype":"EBS:VolumeUsage.gp3"}}
         },
         "terms":{"OnDemand":{
          "LIN":{"LIN.T":{"priceDimensions":{"LIN.T.R":{"unit":"Hrs","pricePerUnit":{"USD":"0.1070000000"}}}}},
          "WIN":{"WIN.T":{"priceDimensions":{"WIN.T.R":{"unit":"Hrs","pricePerUnit":{"USD":"0.1990000000"}}}}},
          "GP3":{"GP3.T":{"priceDimensions":{"GP3.T.R":{"unit":"GB-Mo","pricePerUnit":{"USD":"0.0880000000"}}}}},
          "NAT":{"NAT.T":{"priceDimensions":{"NAT.T.R":{"unit":"Hrs","pricePerUnit":{"USD":"0.0480000000"}}}}},
          "GP3US":{"GP3US.T":{"priceDimensions":{"GP3US.T.R":{"unit":"GB-Mo","pricePerUnit":{"USD":"0.0800000000"}}}}}
         }}}
        """;

    private static MemoryStream Offer() => new(System.Text.Encoding.UTF8.GetBytes(Ec2Offer));

    [Fact]
    public void One_ec2_offer_file_gives_instance_types_and_service_prices_each_its_own()
    {
        var catalog = AwsPriceList.Read(Offer(), "ec2.json", "eu-west-1");
        var m5 = Assert.Single(catalog.Offers);
        Assert.Equal(("m5.large", 2, 8.0, 0.107m), (m5.Name, m5.VCpus, m5.MemoryGiB, m5.HourlyUsd));   // Linux, not Windows; no storage

        var services = AwsPriceList.ReadServices(Offer(), "ec2.json", "eu-west-1");
        Assert.Equal(2, services.All.Count);                                                          // no instance among them
        Assert.Equal(0.088m, services.Find("eu-west-1", "ebs", "gp3", out _)!.Usd);
        Assert.Equal(0.048m, services.Find("eu-west-1", "nat", "gateway", out _)!.Usd);
        Assert.Contains("ec2.json (AWS price list, eu-west-1)", services.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_region_the_file_has_no_price_for_is_a_clear_error_and_a_region_the_prices_lack_is_a_note_never_a_zero()
    {
        var e = Assert.Throws<PriceFileException>(() => AwsPriceList.ReadServices(Offer(), "ec2.json", "ap-south-1"));
        Assert.Contains("in region ap-south-1 among 5 products; check the region (--region) or the file", e.Message, StringComparison.Ordinal);
        var instances = Assert.Throws<PriceFileException>(() => AwsPriceList.Read(Offer(), "ec2.json", "us-east-1"));
        Assert.Contains("no on-demand hourly price for a Linux, shared-tenancy instance in region us-east-1", instances.Message, StringComparison.Ordinal);

        // Read for eu-west-1, asked for us-east-1: no price, and the note names both regions.
        var services = AwsPriceList.ReadServices(Offer(), "ec2.json", "eu-west-1");
        Assert.Null(services.Find("us-east-1", "ebs", "gp3", out var note));
        Assert.Contains("no prices for region us-east-1 in ec2.json (AWS price list, eu-west-1) (it has eu-west-1)", note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-no-such-offer-{Guid.NewGuid():N}.json");
        Assert.Contains("the file does not exist", Assert.Throws<PriceFileException>(() => AwsPriceList.ReadServices(path)).Message, StringComparison.Ordinal);
        Assert.Contains("the file does not exist", Assert.Throws<PriceFileException>(() => AwsPriceList.Read(path)).Message, StringComparison.Ordinal);
    }
}
