using System.CommandLine;
using Headroom.Demo;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom cloudwatch demo</c>: its options; the round trip itself is <see cref="CloudWatchRoundTrip"/> in Headroom.Demo.</summary>
internal static class CloudWatchDemo
{
    public static Command Create()
    {
        var hosts = SharedOptions.Hosts(12);
        var seed = SharedOptions.Seed();
        var command = new Command("demo",
            "Start a local moto_server, create the simulated fleet there as tagged EC2 instances in its accounts and regions, put an hour of their CPU with PutMetricData, collect it once and compare.")
        {
            hosts, seed,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (matched, total) = await CloudWatchRoundTrip.RunAsync(parse.GetValue(hosts), parse.GetValue(seed), DemoCommand.ConsoleFor(parse), cancellationToken);
            return matched == total ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }
}
