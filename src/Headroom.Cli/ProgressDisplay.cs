using System.Globalization;
using Spectre.Console;

namespace Headroom.Cli;

/// <summary>A progress bar on stderr for long work when stderr is a terminal; a line every 10% otherwise.</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(TextWriter error, string description, Func<IProgress<double>, T> work)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(description, maxValue: 1);
                    return work(new Progress(fraction => task.Value = fraction));
                });
        }

        var lastTenth = 0;
        return work(new Progress(fraction =>
        {
            var tenth = (int)(fraction * 10);
            if (tenth > lastTenth)
            {
                lastTenth = tenth;
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{description}: {tenth * 10}%"));
            }
        }));
    }

    /// <summary>The asynchronous form of <see cref="Run{T}"/>.</summary>
    public static async Task<T> RunAsync<T>(TextWriter error, string description, Func<IProgress<double>, Task<T>> work)
    {
        if (ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            return await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask(description, maxValue: 1);
                    return await work(new Progress(fraction => task.Value = fraction));
                });
        }
        return await work(new Progress(_ => { }));
    }

    /// <summary>Reports synchronously on the worker's thread (System.Progress would post to the thread pool and reorder lines).</summary>
    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }
}
