using System.CommandLine;
using System.Text;
using Headroom.Cli.Configuration;
using Headroom.Insights;
using Headroom.Insights.Waste;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom report waste</c>: a section per AWS kind beyond EC2 (load balancers, EBS, RDS, ElastiCache, Redshift,
/// NAT gateways, Lambda, DynamoDB) and the purchase options, from the warehouse the aws-* profiles fill.
/// </summary>
internal static class ReportWasteCommand
{
    /// <summary>The default of <c>--idle-days</c>: Trusted Advisor's 7, lowered to <c>--days</c> for a shorter window.</summary>
    private const int DefaultIdleDays = 7;

    private static readonly Dictionary<string, WasteKind> s_kinds = WasteKindInfo.All.ToDictionary(static k => k.Profile, static k => k.Kind, StringComparer.Ordinal);

    public static Command Create()
    {
        var options = new ReportOptions();
        var idleDays = new Option<int>("--idle-days")
        {
            Description = "Days the idle rules look back over (load balancers, EBS, RDS, ElastiCache, Redshift; Trusted Advisor's 7); at most --days, and a shorter --days lowers the default to it",
            DefaultValueFactory = _ => DefaultIdleDays,
            Validators = { SharedOptions.Check<int>(d => d < 1 ? $"--idle-days must be at least 1, got {d}" : null) },
        };
        var servicePrices = new Option<string[]>("--service-prices")
        {
            Description = "Price file added to the built-in us-east-1 service prices, repeatable: CSV (region,service,type,unit,price_usd) or an AWS offer file (AmazonRDS, AWSELB, AmazonEC2, ...) of --region",
            HelpName = "file",
            AllowMultipleArgumentsPerToken = false,
        };
        var kind = new Option<string[]>("--kind") { Description = $"Only these kinds (profiles), repeatable: {string.Join(", ", s_kinds.Keys)}" };
        kind.AcceptOnlyFromAmong([.. s_kinds.Keys]);
        var purchaseProfile = new Option<string>("--purchase-profile")
        {
            Description = "Profile of the instances the purchase options plan for (aws-ec2, or node with instance types); 'none' leaves the section out",
            DefaultValueFactory = _ => "aws-ec2",
        };
        var discount = new Option<double>("--commitment-discount")
        {
            Description = "Discount of the commitment against on-demand, in percent (default 28: a typical 1-year no-upfront EC2 Instance Savings Plan); use your quoted rate",
            DefaultValueFactory = _ => 28,
            HelpName = "percent",
            Validators = { SharedOptions.Check<double>(v => v is <= 0 or >= 100 || !double.IsFinite(v) ? $"--commitment-discount must be a percentage above 0 and below 100, got {v}" : null) },
        };
        var spotDiscount = new Option<double>("--spot-discount")
        {
            Description = "Spot's discount against on-demand for the estimate, in percent (default 60)",
            DefaultValueFactory = _ => 60,
            HelpName = "percent",
            Validators = { SharedOptions.Check<double>(v => v is <= 0 or >= 100 || !double.IsFinite(v) ? $"--spot-discount must be a percentage above 0 and below 100, got {v}" : null) },
        };
        var command = new Command("waste",
            "AWS waste beyond EC2, a section per kind: idle load balancers (ALB/NLB/classic, < 100 requests a day for 7 days), under-used EBS volumes (unattached or < 1 IOPS), " +
            "idle RDS and ElastiCache (no connection in 7 days), under-used Redshift, idle NAT gateways (no byte), over-provisioned Lambda memory and DynamoDB capacity; " +
            "each priced, with its monthly saving; then purchase options (Savings Plan baseline per family, Spot candidates).");
        command.Options.Add(options.Database);
        command.Options.Add(options.Days);
        command.Options.Add(idleDays);
        command.Options.Add(options.Margin);
        command.Options.Add(kind);
        command.Options.Add(servicePrices);
        command.Options.Add(options.Prices);
        command.Options.Add(options.Region);
        command.Options.Add(purchaseProfile);
        command.Options.Add(discount);
        command.Options.Add(spotDiscount);
        command.Options.Add(options.Format);
        command.Options.Add(options.Out);
        command.Validators.Add(r =>
        {
            var html = r.GetValue(options.Format) == "html";
            if (html && string.IsNullOrWhiteSpace(r.GetValue(options.Out)))
                r.AddError("--format html needs --out FILE, e.g. --format html --out waste.html");
            if (!html && r.GetResult(options.Out) is not null)
                r.AddError("--out is for --format html; other formats print to standard output");
            // Only an --idle-days the user chose can exceed the window: the default is lowered to a shorter one.
            var days = SharedOptions.Given(r, options.Days) ?? ReportOptions.DefaultDays;
            if (SharedOptions.Given(r, idleDays) is { } idle && idle > days)
                r.AddError($"--idle-days ({idle}) cannot exceed --days ({days}); lower --idle-days or widen --days");
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var days = parse.GetValue(options.Days);
            var waste = new WasteOptions
            {
                Days = days,
                IdleDays = parse.GetResult(idleDays) is { Implicit: false } ? parse.GetValue(idleDays) : Math.Min(DefaultIdleDays, days),
                Margin = parse.GetValue(options.Margin) / 100,
            };
            CliException.RefuseBadOptions(waste.Validate);
            var prices = ServicePrices.BuiltIn;
            foreach (var path in parse.GetValue(servicePrices) ?? [])
                prices = prices.With(LoadServicePrices(path, parse.GetValue(options.Region)!));
            var profile = parse.GetValue(purchaseProfile)!;
            var purchase = profile == "none" ? null : new PurchaseRequest(profile, options.Catalog(parse),
                parse.GetValue(options.Prices) is null ? AwsPriceList.DefaultRegion : parse.GetValue(options.Region)!,
                new PurchaseOptions { Discount = parse.GetValue(discount) / 100, SpotDiscount = parse.GetValue(spotDiscount) / 100 });
            if (purchase is not null)
                CliException.RefuseBadOptions(purchase.Options.Validate);
            var kinds = parse.GetValue(kind) is { Length: > 0 } chosen ? chosen.Select(k => s_kinds[k]).ToList() : null;
            var report = await RunAsync(options.DatabaseUrl(parse), prices, waste, purchase, kinds, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            switch (parse.GetValue(options.Format))
            {
                case "json":
                    await output.WriteLineAsync(WasteRenderers.Json(report));
                    break;
                case "csv":
                    WasteRenderers.WriteCsv(output, report);
                    break;
                case "html":
                    var path = parse.GetValue(options.Out)!;
                    await File.WriteAllTextAsync(path, WasteHtml.Render(report), new UTF8Encoding(false), cancellationToken);
                    await output.WriteLineAsync($"wrote {path}: {report.Sections.Sum(static s => s.Flagged)} flagged resources; savings {ReportRenderers.Usd(report.MonthlySavings)}/month");
                    break;
                default:
                    WasteRenderers.WriteTable(FleetCommand.Console(output), report);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static ServicePrices LoadServicePrices(string path, string region)
    {
        try
        {
            return ServicePrices.Load(path, region);
        }
        catch (PriceFileException e)
        {
            throw new CliException(e.Message + "; fix the file or leave out --service-prices to use the built-in list");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"price file {path}: {e.Message}");
        }
    }

    private static async Task<WasteReport> RunAsync(string url, ServicePrices prices, WasteOptions options, PurchaseRequest? purchase, IReadOnlyList<WasteKind>? kinds, CancellationToken cancellationToken)
    {
        await using var warehouse = await WarehouseLocation.OpenExistingAsync(url,
            $"load one with 'headroom etl run --profile aws-elb --source URL --db {url}' (and the other aws-* profiles)", cancellationToken);
        try
        {
            var report = await WasteEngine.RunAsync(warehouse.Waste(), prices, options, purchase, kinds, cancellationToken: cancellationToken);
            if (report.Sections.All(static s => s.Start is null) && report.Purchase is null)
            {
                throw new CliException($"the warehouse has no data for any of the profiles {string.Join(", ", report.Sections.Select(static s => s.Info.Profile))} (warehouse {warehouse.DisplayUrl}); " +
                    "load them with 'headroom etl run --profile aws-rds --source URL' (one run per profile)");
            }
            return report;
        }
        catch (WarehouseException e)
        {
            throw new CliException(e.Message);
        }
    }
}
