using System.CommandLine;
using Headroom.Insights;
using Headroom.Lake.Query;
using Headroom.Warehouse;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom report … --lake</c>: the report with the hours the warehouse pruned read from the lake. The CLI is where
/// the two features meet: Insights reads <see cref="IReportQueries"/>, the lake supplies <see cref="IHourlyHistory"/>.
/// </summary>
internal static class ReportFromLake
{
    public static async Task<InsightsReport> RunAsync(ReportOptions options, ParseResult parse, PriceCatalog catalog, ReportSettings settings, CancellationToken cancellationToken)
    {
        var withDaily = settings.Format == "html";
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        await using var store = options.Lake.Open(parse, http);
        if (store is null)
            return await ReportCommand.RunAsync(options.DatabaseUrl(parse), catalog, settings, withDaily, cancellationToken);
        await using var lake = await LakeCommand.Guard(store, () => LakeQuery.OpenAsync(store, cancellationToken));
        return await ReportCommand.RunAsync(options.DatabaseUrl(parse), catalog, settings, withDaily, cancellationToken,
            warehouse => Task.FromResult(warehouse.Reports(new LakeHourlyHistory(lake))));
    }
}
