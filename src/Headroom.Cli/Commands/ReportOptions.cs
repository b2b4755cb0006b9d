using System.CommandLine;
using Headroom.Cli.Configuration;
using Headroom.Insights;

namespace Headroom.Cli.Commands;

/// <summary>The settings of a report, read from the command line.</summary>
internal sealed record ReportSettings(InsightsOptions Insights, string Format, string? Out, int ChartLimit, double CpuTolerance = Etl.SourceAgreement.DefaultTolerance);

/// <summary>The options of the report commands, shared by <c>report underused</c>, <c>report rightsizing</c> and <c>serve</c>.</summary>
internal sealed class ReportOptions
{
    /// <summary>The default of <c>--days</c>: Trusted Advisor's 14-day window.</summary>
    public const int DefaultDays = 14;

    /// <summary>The default of <c>--low-days</c>: Trusted Advisor's 4 days, lowered to <c>--days</c> for a shorter window.</summary>
    public const int DefaultLowDays = 4;

    public Option<string?> Database { get; } = new("--db")
    {
        Description = $"Warehouse URL: sqlite:PATH, postgres://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB (default: db: in ./headroom.yaml, else {EtlSettings.DefaultDatabase}) [env HEADROOM_DB]",
    };

    public Option<string> Profile { get; } = new("--profile") { Description = "The ETL profile whose resources to report on", DefaultValueFactory = _ => "node" };

    public Option<int> Days { get; } = new("--days")
    {
        Description = "Days in the window, ending with the latest day in the warehouse",
        DefaultValueFactory = _ => DefaultDays,
        Validators = { SharedOptions.Check<int>(d => d is < 1 or > 366 ? $"--days must be between 1 and 366, got {d}" : null) },
    };

    public Option<double> LowCpu { get; } = Percent("--low-cpu", "Low-utilization rule: a day counts when its average CPU is at most this percentage", 10);

    public Option<double> LowNetwork { get; } = new("--low-network-mb")
    {
        Description = "… and its network I/O (in + out) is at most this many MB (10^6 bytes)",
        DefaultValueFactory = _ => 5,
        Validators = { SharedOptions.Check<double>(v => v < 0 || !double.IsFinite(v) ? $"--low-network-mb must be at least 0, got {v}" : null) },
    };

    public Option<int> LowDays { get; } = new("--low-days")
    {
        Description = "Low-utilization rule: flagged on at least this many low days in the window; at most --days, and a shorter --days lowers the default to it",
        DefaultValueFactory = _ => DefaultLowDays,
        Validators = { SharedOptions.Check<int>(d => d < 1 ? $"--low-days must be at least 1, got {d}" : null) },
    };

    public Option<double> IdleCpu { get; } = Percent("--idle-cpu", "Idle rule: the window's maximum CPU is at most this percentage (terminate)", 1);

    public Option<string> Statistic { get; } = new("--statistic")
    {
        Description = "Rightsizing CPU statistic over the hourly 5-minute maxima: p99.5, p99, p95 or max",
        DefaultValueFactory = _ => "p99.5",
    };

    public Option<double> Margin { get; } = Percent("--margin", "Rightsizing headroom added to the measured need, in percent", 20, 1000);

    public Option<int> MinHours { get; } = new("--min-hours")
    {
        Description = "Hours of CPU data needed for a verdict; fewer gives 'insufficient data'",
        DefaultValueFactory = _ => 30,
        Validators = { SharedOptions.Check<int>(h => h < 1 ? $"--min-hours must be at least 1, got {h}" : null) },
    };

    public Option<bool> AnyFamily { get; } = new("--any-family") { Description = "Recommend types of any family (default: the current family, keeping its CPU/memory ratio)" };

    public Option<string?> Prices { get; } = new("--prices")
    {
        Description = "Price file replacing the built-in us-east-1 on-demand Linux list: CSV (instance_type,vcpu,memory_gib,price_per_hour) or AWS's bulk price-list JSON",
        HelpName = "file",
    };

    public Option<string?> HostPrices { get; } = new("--host-prices")
    {
        Description = "Monthly costs of hosts the price list does not know (on-premises, other clouds): CSV (name_pattern,price_per_month), e.g. 'db-*,450'",
        HelpName = "file",
    };

    public Option<string> Region { get; } = new("--region") { Description = "Region whose prices to read from an AWS price-list file", DefaultValueFactory = _ => AwsPriceList.DefaultRegion };

    public Option<string> Format { get; } = SharedOptions.Format("table", "csv", "json", "html");

    public Option<string?> Out { get; } = new("--out") { Description = "File to write the HTML page to (required with --format html)", HelpName = "file" };

    public Option<int> ChartLimit { get; } = new("--chart-limit")
    {
        Description = "HTML: draw charts for at most this many top-ranked resources",
        DefaultValueFactory = _ => HtmlReport.DefaultChartLimit,
        Validators = { SharedOptions.Check<int>(n => n < 0 ? $"--chart-limit must be at least 0, got {n}" : null) },
    };

    public Option<double> CpuTolerance { get; } = SharedOptions.CpuTolerance();

    public LakeLocation Lake { get; } = new(false, "Read hourly rows older than the warehouse holds (pruned by 'headroom etl prune') from this lake: a folder or s3://BUCKET/PREFIX");

    public ReportOptions()
    {
        Statistic.AcceptOnlyFromAmong("p99.5", "p99", "p95", "max");
    }

    /// <summary>Options that shape the report (not the output), for <c>serve</c>.</summary>
    public IEnumerable<Option> Rules => [Profile, Days, LowCpu, LowNetwork, LowDays, IdleCpu, Statistic, Margin, MinHours, AnyFamily, Prices, HostPrices, Region, CpuTolerance];

    public void AddTo(Command command)
    {
        command.Options.Add(Database);
        foreach (var option in Rules)
            command.Options.Add(option);
        command.Options.Add(Format);
        command.Options.Add(Out);
        command.Options.Add(ChartLimit);
        Lake.AddTo(command);
        command.Validators.Add(r =>
        {
            var html = r.GetValue(Format) == "html";
            if (html && string.IsNullOrWhiteSpace(r.GetValue(Out)))
                r.AddError("--format html needs --out FILE, e.g. --format html --out report.html");
            if (!html && r.GetResult(Out) is not null)
                r.AddError("--out is for --format html; other formats print to standard output");
            // Only a --low-days the user chose can exceed the window: the default is lowered to a shorter one (Read).
            var days = SharedOptions.Given(r, Days) ?? DefaultDays;
            if (SharedOptions.Given(r, LowDays) is { } lowDays && lowDays > days)
                r.AddError($"--low-days ({lowDays}) cannot exceed --days ({days}); lower --low-days or widen --days");
        });
    }

    public string DatabaseUrl(ParseResult parse) => WarehouseLocation.Resolve(parse.GetValue(Database));

    /// <summary>The report's settings; a setting the report rules refuse is a usage error (<see cref="CliException.RefuseBadOptions"/>).</summary>
    public ReportSettings Read(ParseResult parse)
    {
        var days = parse.GetValue(Days);
        var insights = new InsightsOptions
        {
            Profile = parse.GetValue(Profile)!,
            Days = days,
            LowCpu = parse.GetValue(LowCpu) / 100,
            LowNetworkBytes = parse.GetValue(LowNetwork) * 1e6,
            LowDays = parse.GetResult(LowDays) is { Implicit: false } ? parse.GetValue(LowDays) : Math.Min(DefaultLowDays, days),
            IdleCpu = parse.GetValue(IdleCpu) / 100,
            CpuStatistic = parse.GetValue(Statistic) switch
            {
                "p99" => CpuStatistic.P99,
                "p95" => CpuStatistic.P95,
                "max" => CpuStatistic.Max,
                _ => CpuStatistic.P995,
            },
            Margin = parse.GetValue(Margin) / 100,
            MinHours = parse.GetValue(MinHours),
            AnyFamily = parse.GetValue(AnyFamily),
        };
        CliException.RefuseBadOptions(insights.Validate);
        return new ReportSettings(insights, parse.GetValue(Format) ?? "table", parse.GetValue(Out), parse.GetValue(ChartLimit), parse.GetValue(CpuTolerance));
    }

    /// <summary>The built-in catalog, or the file of --prices, with the host prices of --host-prices (errors name the file and the problem).</summary>
    public PriceCatalog Catalog(ParseResult parse)
    {
        var catalog = InstanceCatalog(parse);
        if (parse.GetValue(HostPrices) is not { } hosts)
            return catalog;
        try
        {
            return new PriceCatalog(catalog.Offers, catalog.Source) { Hosts = Insights.HostPrices.Load(hosts) };
        }
        catch (PriceFileException e)
        {
            throw new CliException(e.Message + "; fix the file or leave out --host-prices");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"host price file {hosts}: {e.Message}");
        }
    }

    private PriceCatalog InstanceCatalog(ParseResult parse)
    {
        if (parse.GetValue(Prices) is not { } path)
            return PriceCatalog.BuiltIn;
        try
        {
            return PriceCatalog.Load(path, parse.GetValue(Region)!);
        }
        catch (PriceFileException e)
        {
            throw new CliException(e.Message + "; fix the file or leave out --prices to use the built-in list");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"price file {path}: {e.Message}");
        }
    }

    private static Option<double> Percent(string name, string description, double defaultValue, double maximum = 100) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "percent",
        Validators = { SharedOptions.Check<double>(v => v < 0 || v > maximum || !double.IsFinite(v) ? $"{name} must be a percentage between 0 and {maximum}, got {v}" : null) },
    };
}
