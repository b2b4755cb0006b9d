using Headroom.Cli;

return await HeadroomCli.RunAsync(args, Console.Out, Console.Error);
