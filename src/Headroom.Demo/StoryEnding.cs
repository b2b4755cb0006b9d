using System.Diagnostics;
using System.Globalization;
using Headroom.Etl;
using Headroom.Insights;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;
using Headroom.Warehouse;

namespace Headroom.Demo;

/// <summary>The end every story shares: the ETL into SQLite, the reports and the page, then Ctrl-C when waiting.</summary>
internal static class StoryEnding
{
    public static async Task RunAsync(DemoOptions options, string root, PrometheusClient client, Uri prometheus, string profile,
        DateTimeOffset historyStart, DemoConsole console, CancellationToken cancellationToken)
    {
        var ownDirectory = options.Directory is null;
        var database = "sqlite:" + Path.Combine(root, "headroom.db");
        await console.StepAsync($"loading the warehouse ({database}) with headroom etl --profile {profile}").ConfigureAwait(false);
        await LoadWarehouseAsync(client, prometheus, database, profile, historyStart, console, cancellationToken).ConfigureAwait(false);
        if (options.Wait || !ownDirectory)
            await console.LineAsync($"    try: headroom etl status --db {database}").ConfigureAwait(false);

        await console.StepAsync("reporting under-used resources, rightsizing and savings (headroom report)").ConfigureAwait(false);
        // The page outlives a temporary demo directory, which is removed at exit.
        var page = ownDirectory ? Path.Combine(Path.GetTempPath(), $"headroom-demo-report-{Path.GetFileName(root)}.html") : Path.Combine(root, "report.html");
        await ReportAsync(database, profile, page, options.Wait || !ownDirectory, console, cancellationToken).ConfigureAwait(false);

        if (options.Wait)
        {
            await console.LineAsync($"\n{(options.Sharded ? "The gateway" : "Prometheus")} keeps running at {prometheus} with {options.Days} days of fleet history. Ctrl-C to stop.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await console.LineAsync("stopping").ConfigureAwait(false);
            }
        }
    }

    private static async Task LoadWarehouseAsync(PrometheusClient client, Uri source, string database, string profile, DateTimeOffset historyStart, DemoConsole console, CancellationToken cancellationToken)
    {
        var warehouse = await OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (warehouse.ConfigureAwait(false))
        {
            var runner = new EtlRunner(warehouse, client, new ExtractionOptions());
            var loaded = ProfileLoader.Load(profile);
            var options = new EtlOptions
            {
                Profile = loaded,
                Source = source.AbsoluteUri.TrimEnd('/'),
                From = FirstWholeHour(historyStart, loaded),
            };
            var stopwatch = Stopwatch.StartNew();
            var report = await console.Progress.RunAsync("    etl run", p =>
                runner.RunAsync(options, EtlMode.Incremental, new Progress<EtlProgress>(e => p.Report(e.HoursTotal == 0 ? 1 : (double)e.HoursDone / e.HoursTotal)), cancellationToken)).ConfigureAwait(false);
            await console.LineAsync(string.Create(CultureInfo.InvariantCulture,
                $"    {report.RowsLoaded:N0} hourly rows loaded ({report.RowsRejected:N0} quarantined, {report.GapsOpened} gaps) from {report.Requests} queries in {stopwatch.Elapsed.TotalSeconds:F1} s; {report.RecordedReads} window×dimension reads from recording rules, {report.RawFallbacks} raw fallbacks")).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The first whole hour whose every range lies in the history. An hour cut by the history's start is incomplete,
    /// and so is one that starts less than a range after it: a rate over the 2 minutes a 5m window holds extrapolates
    /// only half a scrape interval into the missing 3. The node profile's CPU is a ratio of rates that cancels this (an
    /// idle host no longer reads busy there), but its network and disk rates still read low in those minutes.
    /// </summary>
    internal static DateTimeOffset FirstWholeHour(DateTimeOffset historyStart, Profile profile) =>
        EtlRunner.FloorHour(historyStart + LongestRange(profile)).AddHours(1);

    /// <summary>The longest range any dimension's expression reads back (range selectors and subqueries).</summary>
    internal static TimeSpan LongestRange(Profile profile) =>
        profile.Dimensions.Select(d => LongestRange(Parser.Parse(d.Expr))).DefaultIfEmpty(TimeSpan.Zero).Max();

    private static TimeSpan LongestRange(Expr expr) => expr switch
    {
        MatrixSelector m => m.Range,
        SubqueryExpr q => q.Range + LongestRange(q.Inner),
        ParenExpr p => LongestRange(p.Inner),
        UnaryExpr u => LongestRange(u.Operand),
        AggregateExpr a => LongestRange(a.Inner),
        Call c => c.Arguments.Select(LongestRange).DefaultIfEmpty(TimeSpan.Zero).Max(),
        BinaryExpr b => Max(LongestRange(b.Left), LongestRange(b.Right)),
        _ => TimeSpan.Zero,
    };

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static async Task ReportAsync(string database, string profile, string page, bool kept, DemoConsole console, CancellationToken cancellationToken)
    {
        InsightsReport report;
        var warehouse = await OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (warehouse.ConfigureAwait(false))
        {
            try
            {
                report = await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions { Profile = profile }, withDaily: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (NoDataException e)
            {
                throw new DemoException($"{e.Message} (warehouse {warehouse.DisplayUrl})", e);
            }
        }
        ReportRenderers.WriteTable(console.Tables, report, ReportView.Underused);
        ReportRenderers.WriteTable(console.Tables, report, ReportView.Rightsizing);
        await File.WriteAllTextAsync(page, HtmlReport.Render(report, ReportView.All), new System.Text.UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
        await console.LineAsync($"    HTML report: {page}").ConfigureAwait(false);
        if (kept)
            await console.LineAsync($"    try: headroom report underused --db {database} --profile {profile}; headroom report rightsizing --db {database} --profile {profile} --format html --out report.html").ConfigureAwait(false);
    }

    private static async Task<IWarehouse> OpenAsync(string database, CancellationToken cancellationToken)
    {
        var warehouse = await Warehouse.Warehouse.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await warehouse.MigrateAsync(cancellationToken).ConfigureAwait(false);
        return warehouse;
    }
}
