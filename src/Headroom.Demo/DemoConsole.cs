using Spectre.Console;

namespace Headroom.Demo;

/// <summary>Where a demo tells its story: steps and results on <see cref="Output"/>, progress on <see cref="Error"/>.</summary>
public sealed class DemoConsole
{
    /// <summary>Tables go to <paramref name="output"/>, 240 columns wide; progress is not shown unless <see cref="Progress"/> is set.</summary>
    public DemoConsole(TextWriter output, TextWriter error)
    {
        Output = output;
        Error = error;
        Tables = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });
        // Redirected output has no terminal width; Spectre would wrap tables at 80 columns.
        Tables.Profile.Width = 240;
    }

    /// <summary>The story: one line per step, then what it found.</summary>
    public TextWriter Output { get; }

    /// <summary>Progress and diagnostics.</summary>
    public TextWriter Error { get; }

    /// <summary>Renders the demo's tables; by default onto <see cref="Output"/>.</summary>
    public IAnsiConsole Tables { get; init; }

    /// <summary>Shows the progress of long steps; by default nothing is shown.</summary>
    public IProgressDisplay Progress { get; init; } = new Silent();

    internal Task StepAsync(string text) => Output.WriteLineAsync("==> " + text);

    internal Task LineAsync(string text) => Output.WriteLineAsync(text);

    private sealed class Silent : IProgressDisplay
    {
        public Task<T> RunAsync<T>(string description, Func<IProgress<double>, Task<T>> work) => work(new Progress<double>());
    }
}
