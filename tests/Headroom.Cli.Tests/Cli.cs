namespace Headroom.Cli.Tests;

/// <summary>Runs the <c>headroom</c> command in-process and captures what it prints.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await HeadroomCli.RunAsync(args, output, error);
        return new Result(code, output.ToString(), error.ToString());
    }
}
