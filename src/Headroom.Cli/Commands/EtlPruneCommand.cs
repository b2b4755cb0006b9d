using System.CommandLine;
using System.Globalization;
using Headroom.Lake.Publishing;
using Headroom.Lake.Utilization;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom etl prune</c>: delete old hourly rows the lake proves it holds.</summary>
internal static class EtlPruneCommand
{
    public static Command Create()
    {
        var location = new LakeLocation(true, "The lake that holds the exported rows: a folder or s3://BUCKET/PREFIX");
        var database = new Option<string?>("--db") { Description = $"Warehouse URL (default {Configuration.EtlSettings.DefaultDatabase}) [env HEADROOM_DB]" };
        var keep = SharedOptions.Duration("--keep-hourly", "Hourly rows younger than this stay (whole UTC days are pruned), e.g. 90d", "90d", TimeSpan.FromDays(1));
        var command = new Command("prune", "Delete hourly rows older than --keep-hourly, only for days whose every row the lake's manifests prove exported (same row counts and checksums); otherwise refuse and say why. Daily rows stay.")
        {
            database, keep,
        };
        location.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            await using var store = location.Open(parse, http)!;
            await using var warehouse = await LakeCommand.OpenExistingAsync(parse.GetValue(database), cancellationToken);
            var before = DateOnly.FromDateTime(DateTime.UtcNow - parse.GetValue(keep).Value);
            PruneReport report;
            try
            {
                report = await LakeCommand.Guard(store, () => new HourlyPrune(warehouse.History(), new PartitionPublisher(store)).RunAsync(before, cancellationToken));
            }
            catch (PruneRefusedException e)
            {
                throw new CliException(e.Message);
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(report.Days.Count == 0
                ? $"nothing to prune: {warehouse.DisplayUrl} has no hourly rows before {before:yyyy-MM-dd}"
                : string.Create(CultureInfo.InvariantCulture, $"pruned {report.RowsDeleted:N0} hourly rows of {report.Days.Count} days ({report.Days[0]:yyyy-MM-dd}..{report.Days[^1]:yyyy-MM-dd}) from {warehouse.DisplayUrl}; the lake at {store.Location} holds them"));
            return ExitCodes.Success;
        });
        return command;
    }
}
