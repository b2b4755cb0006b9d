using Headroom.Cli;
using Headroom.Warehouse;

try
{
    Failpoint.Validate();
}
catch (FormatException e)
{
    await Console.Error.WriteLineAsync($"headroom: error: {e.Message}");
    return ExitCodes.Usage;
}

return await HeadroomCli.RunAsync(args, Console.Out, Console.Error);
