using System.Globalization;
using Headroom.CloudWatch.Config;
using Headroom.Etl;
using Headroom.Etl.CloudWatch;
using Microsoft.Extensions.Logging;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom serve --source cloudwatch</c>: the direct CloudWatch ETL on the same schedule.</summary>
internal static partial class ServeCommand
{
    /// <summary>Refuses, before serving, a YACE configuration that cannot feed <paramref name="profile"/> directly.</summary>
    private static void CloudWatchWanted(CollectorConfig yace, Profile profile)
    {
        try
        {
            CloudWatchEtl.Wanted(yace, profile);
        }
        catch (CloudWatchEtlException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    private static Func<EtlOptions, Task> RunOnce(CloudWatchEtl etl, CollectorConfig yace, TextWriter output, ILogger logger, CancellationToken cancellationToken) =>
        options => RunCloudWatchOnceAsync(etl, yace, options, output, logger, cancellationToken);

    /// <summary>
    /// One scheduled CloudWatch run over every account and region: each loads or records its own gaps, so one that fails
    /// is a line of its own and the others' rows still count; the schedule goes on.
    /// </summary>
    private static async Task RunCloudWatchOnceAsync(CloudWatchEtl etl, CollectorConfig yace, EtlOptions options, TextWriter output, ILogger logger,
        CancellationToken cancellationToken)
    {
        var stamp = TimeProvider.System.GetUtcNow().ToString("u", CultureInfo.InvariantCulture);
        try
        {
            var report = await etl.RunAsync(yace, options, EtlMode.Incremental, cancellationToken: cancellationToken);
            foreach (var target in report.Targets)
            {
                if (target.Report is { } r)
                {
                    await output.WriteLineAsync($"{stamp} {target.Source}: run {r.RunId}: {r.RowsLoaded} rows loaded, {r.RowsRejected} quarantined, {r.GapsOpened} gaps opened, {r.GapsResolved} resolved");
                    Log.RunSucceeded(logger, r.RunId, r.From, r.To, r.RowsLoaded, r.RowsRejected, r.GapsOpened, r.GapsResolved);
                }
                foreach (var line in target.NoData)
                    await output.WriteLineAsync($"{stamp} {target.Source}: warning: {line}");
                var problem = target.Error ?? (target.Report is { Unavailable.Count: > 0 } u ? string.Join("; ", u.Unavailable) : null);
                if (problem is not null)
                {
                    await output.WriteLineAsync($"{stamp} {target.Who} in {target.Region}: {problem}; recorded as gaps, the next run retries them");
                    Log.RunFailed(logger, $"{target.Who} in {target.Region}: {problem}");
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await output.WriteLineAsync($"{stamp} run failed: {e.Message}");
            Log.RunFailed(logger, e.Message);
        }
    }
}
