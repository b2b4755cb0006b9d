using System.Diagnostics;

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

    /// <summary>
    /// Runs <c>headroom</c> as a child process with <paramref name="environment"/> added to its environment: variables
    /// set in the test process would leak into every test running beside it.
    /// </summary>
    public static async Task<Result> RunProcessAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Result(process.ExitCode, await output, await error);
    }

    /// <summary><c>dotnet headroom.dll <paramref name="args"/></c> with its output and error redirected.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "headroom.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        return info;
    }
}
