using System.CommandLine;
using System.Text;
using Headroom.Cli.Configuration;
using Headroom.Etl;
using Headroom.Insights;
using Headroom.Insights.Waste;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom report</c>: under-used resources, rightsizing and savings, from the warehouse.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var command = new Command("report", "Report from the warehouse: idle and under-used resources, rightsizing with a price catalog, and the monthly savings.");
        command.Subcommands.Add(Build("underused", ReportView.Underused,
            "Idle resources (maximum CPU ≤ 1% over the window: terminate) and AWS Trusted Advisor's low utilization (average CPU ≤ 10% and network I/O ≤ 5 MB on at least 4 of the last 14 days), ranked by monthly savings."));
        command.Subcommands.Add(Build("rightsizing", ReportView.Rightsizing,
            "Per resource, AWS Compute Optimizer's method: p99.5 of the hourly 5-minute CPU maxima and the memory maximum, plus 20% margin, against a catalog of instance types and prices; finding, recommended type, risk and savings."));
        command.Subcommands.Add(ReportWasteCommand.Create());
        return command;
    }

    private static Command Build(string name, ReportView view, string description)
    {
        var options = new ReportOptions();
        var command = new Command(name, description);
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = options.Read(parse);
            var catalog = options.Catalog(parse);
            var output = parse.InvocationConfiguration.Output;
            var report = await ReportFromLake.RunAsync(options, parse, catalog, settings, cancellationToken);
            switch (settings.Format)
            {
                case "json":
                    await output.WriteLineAsync(ReportRenderers.Json(report, view));
                    break;
                case "csv":
                    ReportRenderers.WriteCsv(output, report, view);
                    break;
                case "html":
                    await File.WriteAllTextAsync(settings.Out!, HtmlReport.Render(report, view, settings.ChartLimit), new UTF8Encoding(false), cancellationToken);
                    await output.WriteLineAsync($"wrote {settings.Out}: {ReportRenderers.Rows(report, view).Count} resources; savings {ReportRenderers.Usd(report.Summary.MonthlySavings)}/month");
                    break;
                default:
                    ReportRenderers.WriteTable(FleetCommand.Console(output), report, view);
                    break;
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Why there is nothing to report. After an ETL run that loaded nothing (a Prometheus installed minutes ago, whose
    /// first complete hour has not ended) "load it first" would send the user back to what they just did.
    /// </summary>
    private static async Task<string> NoDataMessageAsync(IWarehouse warehouse, string profile, NoDataException e, CancellationToken cancellationToken)
    {
        var runs = (await warehouse.GetStatusAsync(cancellationToken: cancellationToken)).RecentRuns
            .Where(r => r.Profile == profile && r.Status == EtlRunStatus.Succeeded).ToList();
        if (runs.Count == 0 || runs.Sum(r => r.RowsLoaded) > 0)
        {
            var profiles = await warehouse.History().ListProfilesAsync(cancellationToken);
            if (profiles.Contains(profile) && WasteKindInfo.All.FirstOrDefault(k => k.Profile == profile) is { } kind)
            {
                // Load balancers, volumes, NAT gateways...: held, but reported by their own rules, not by CPU.
                return $"profile '{profile}' holds {kind.Title}, which have no CPU to rightsize by: 'headroom report waste --kind {profile}' reports them";
            }
            // A mistyped or wrong --profile looks like an empty warehouse: name what it does hold.
            var held = profiles.Where(p => p != profile).ToList();
            return held.Count == 0 ? e.Message
                : $"{e.Message}; it holds resources of profile {string.Join(", ", held.Select(static p => $"'{p}'"))}: pass e.g. --profile {held[0]}";
        }
        var last = runs.MaxBy(r => r.StartedAt)!;
        return $"the warehouse holds no '{profile}' data yet although the ETL has run (last run {last.Id} at {last.StartedAt:yyyy-MM-dd HH:mm}Z, " +
            $"up to {last.WindowTo:yyyy-MM-dd HH:mm}Z, 0 rows loaded): a source whose history began less than a complete hour ago has nothing to load; " +
            "run 'headroom etl run' again after its first complete hour ends (that run's output says when)";
    }

    /// <summary>Opens the warehouse (an absent SQLite file is an error, not a new empty database) and runs the report.</summary>
    internal static async Task<InsightsReport> RunAsync(string url, PriceCatalog catalog, ReportSettings settings, bool withDaily, CancellationToken cancellationToken,
        Func<IWarehouse, Task<IReportQueries>>? queries = null)
    {
        await using var warehouse = await WarehouseLocation.OpenExistingAsync(url, $"load one with 'headroom etl run --source URL --db {url}' (or run 'headroom demo')", cancellationToken);
        try
        {
            var priced = await WithMonthlyCostLabelsAsync(warehouse, catalog, settings.Insights.Profile, cancellationToken);
            var report = await InsightsEngine.RunAsync(queries is null ? warehouse.Reports() : await queries(warehouse), priced, settings.Insights, withDaily, cancellationToken: cancellationToken);
            return await WithSourceCheckAsync(warehouse, report, settings.CpuTolerance, cancellationToken);
        }
        catch (NoDataException e)
        {
            throw new CliException($"{await NoDataMessageAsync(warehouse, settings.Insights.Profile, e, cancellationToken)} (warehouse {warehouse.DisplayUrl})");
        }
        catch (WarehouseException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>
    /// The report with its data-quality finding: over the report's window, the hosts whose node_exporter and CloudWatch views
    /// disagree about CPU (<see cref="SourceAgreement"/>, the comparison <c>etl status</c> shows). The CLI is where the ETL's
    /// comparison and the report meet. Only a report on one of the two views' profiles is checked.
    /// </summary>
    internal static async Task<InsightsReport> WithSourceCheckAsync(IWarehouse warehouse, InsightsReport report, double tolerance, CancellationToken cancellationToken)
    {
        if (report.Options.Profile is not (SourceAgreement.HostProfile or SourceAgreement.CloudProfile))
            return report;
        var end = new DateTimeOffset(report.LastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var findings = await SourceAgreement.CompareAsync(warehouse, end, tolerance: tolerance, days: report.Options.Days, cancellationToken: cancellationToken);
        return report with { Sources = new SourceCheck(tolerance, SourceAgreement.HostProfile, SourceAgreement.CloudProfile, findings) };
    }

    /// <summary>The catalog with the monthly_cost the ETL stored per resource (from a label) ahead of the host price file.</summary>
    private static async Task<PriceCatalog> WithMonthlyCostLabelsAsync(Headroom.Warehouse.IWarehouse warehouse, PriceCatalog catalog, string profile, CancellationToken cancellationToken)
    {
        var costs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var resource in await warehouse.ReadResourcesAsync(profile, cancellationToken))
        {
            if (resource.Metadata.TryGetValue(Etl.MetadataFields.MonthlyCost, out var text)
                && decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var cost) && cost >= 0)
                costs[resource.Key] = cost;
        }
        return costs.Count == 0 ? catalog : new PriceCatalog(catalog.Offers, catalog.Source) { Hosts = catalog.Hosts.WithResources(costs) };
    }
}
