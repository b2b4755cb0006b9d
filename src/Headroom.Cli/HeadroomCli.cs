using System.CommandLine;
using Headroom.Cli.Commands;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.Servers;

namespace Headroom.Cli;

/// <summary>Builds the <c>headroom</c> command tree and runs it, turning errors into messages and exit codes.</summary>
internal static class HeadroomCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand(
            "headroom: a trusted record of how much of every resource you really use, and what the unused part costs.\n" +
            "Collects utilization from Prometheus, loads it into SQL, and reports under-used resources and savings.");
        root.Subcommands.Add(FleetCommand.Create());
        root.Subcommands.Add(EtlCommand.Create());
        root.Subcommands.Add(RulesCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(CloudWatchCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PromqlCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(GatewayCommand.Create());
        root.Subcommands.Add(RulerCommand.Create());
        root.Subcommands.Add(ShardCommand.Create());
        root.Subcommands.Add(LakeCommand.Create());
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                await error.WriteLineAsync($"headroom: {e.Message}").ConfigureAwait(false);
            var command = string.Join(' ', CommandPath(parse.CommandResult));
            await error.WriteLineAsync($"Run '{command} --help' for usage.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Describe(e) is { } failure)
        {
            await error.WriteLineAsync($"headroom: error: {failure.Message}").ConfigureAwait(false);
            return failure.ExitCode;
        }
    }

    /// <summary>Maps the exceptions a user can cause or fix to a message and exit code; others propagate with their stack.</summary>
    private static (string Message, int ExitCode)? Describe(Exception e) => e switch
    {
        CliException c => (c.Message, c.ExitCode),
        OperationCanceledException => ("interrupted", ExitCodes.Interrupted),
        MissingBinaryException m => (m.Message, ExitCodes.MissingDependency),
        FleetServerException f => (f.Message, ExitCodes.Failure),
        Demo.DemoException d => (d.Message, ExitCodes.Failure),
        PrometheusApiException p => (p.Message, ExitCodes.Failure),
        Sharding.ShardingException s => (s.Message, ExitCodes.Failure),
        RemoteReadException r => (r.Message, ExitCodes.Failure),
        Insights.PriceFileException f => (f.Message, ExitCodes.Failure),
        UnauthorizedAccessException u => ($"{u.Message} Choose a path you can write to.", ExitCodes.Failure),
        DirectoryNotFoundException d => ($"{d.Message} Create the directory first or choose another path.", ExitCodes.Failure),
        IOException io => (io.Message, ExitCodes.Failure),
        InvalidDataException d => (d.Message, ExitCodes.Failure),
        _ => null,
    };

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (System.CommandLine.Parsing.SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is System.CommandLine.Parsing.CommandResult c)
                names.Push(c.Command.Name);
        }
        return names;
    }
}
