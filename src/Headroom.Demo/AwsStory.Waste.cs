using Headroom.Etl;
using Headroom.Fleet.Aws;
using Headroom.Insights.Waste;
using Headroom.Prometheus.Client;
using Headroom.Warehouse;

namespace Headroom.Demo;

/// <summary>The AWS story's waste beyond EC2: simulated load balancers, volumes, databases, NAT gateways, functions and tables.</summary>
internal static partial class AwsStory
{
    /// <summary>The simulated resources beyond EC2; the late ones appear a fifth of the history before its end.</summary>
    private static AwsFleet WasteFleet(DemoOptions options, DateTimeOffset end) =>
        AwsFleet.Create((int)options.Seed, end, TimeSpan.FromHours(options.Days * 24 / 5.0));

    private static async Task WasteAsync(DemoOptions options, string root, PrometheusClient client, Uri source, DateTimeOffset start, DateTimeOffset end, DemoConsole console, CancellationToken cancellationToken)
    {
        var fleet = WasteFleet(options, end);
        var database = "sqlite:" + Path.Combine(root, "headroom.db");
        await console.StepAsync($"waste beyond EC2: loading {fleet.Resources.Count} simulated load balancers, volumes, databases, NAT gateways, functions and tables with the aws-* profiles").ConfigureAwait(false);
        var warehouse = await Warehouse.Warehouse.OpenAsync(database, cancellationToken).ConfigureAwait(false);
        await using (warehouse.ConfigureAwait(false))
        {
            await warehouse.MigrateAsync(cancellationToken).ConfigureAwait(false);
            var runner = new EtlRunner(warehouse, client, new ExtractionOptions());
            long rows = 0;
            foreach (var kind in AwsFleet.Kinds)
            {
                var report = await runner.RunAsync(new EtlOptions
                {
                    Profile = ProfileLoader.Load(kind),
                    Source = source.AbsoluteUri.TrimEnd('/'),
                    From = EtlRunner.FloorHour(start).AddHours(1),
                    To = EtlRunner.FloorHour(end),
                    UseRecordingRules = false,
                }, EtlMode.Backfill, cancellationToken: cancellationToken).ConfigureAwait(false);
                rows += report.RowsLoaded;
            }
            await console.LineAsync($"    {rows:N0} hourly rows loaded for {AwsFleet.Kinds.Count} profiles").ConfigureAwait(false);
            // Trusted Advisor looks back 7 days; a shorter demo history looks back over what it has.
            var days = Math.Max(1, options.Days - 1);
            var waste = await WasteEngine.RunAsync(warehouse.Waste(), ServicePrices.BuiltIn, new WasteOptions { Days = days, IdleDays = Math.Min(7, days) },
                cancellationToken: cancellationToken).ConfigureAwait(false);
            WasteRenderers.WriteTable(console.Tables, waste, summary: false);
            // Plain lines, not the table console's: they are not wrapped at its width.
            foreach (var line in WasteRenderers.SummaryLines(waste))
                await console.LineAsync(line).ConfigureAwait(false);
            await console.LineAsync($"    try: headroom report waste --db {database}").ConfigureAwait(false);
        }
    }
}
