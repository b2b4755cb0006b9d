using System.CommandLine;

namespace Headroom.Cli.Tests;

public class HelpTests
{
    public static TheoryData<string> AllCommands()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            data.Add(path);
            foreach (var sub in command.Subcommands)
                Walk(sub, (path + " " + sub.Name).Trim());
        }
        Walk(HeadroomCli.Create(), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCommands))]
    public async Task Every_command_has_complete_help(string path)
    {
        var args = path.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();
        var result = await Cli.RunAsync(args);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Contains("Description:", result.Output, StringComparison.Ordinal);

        // Every option of the command is listed with a description.
        var command = args[..^1].Aggregate((Command)HeadroomCli.Create(), (c, name) => c.Subcommands.Single(s => s.Name == name));
        foreach (var option in command.Options)
        {
            Assert.Contains(option.Name, result.Output, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(option.Description), $"{path} {option.Name} has no description");
        }
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"'{path}' has no description");

        // Defaults read as they are typed: durations as 15m, not as .NET's 00:15:00.
        Assert.DoesNotMatch(@"\[default: \d+:\d\d:\d\d", result.Output);
    }

    [Fact]
    public async Task Duration_defaults_are_shown_in_prometheus_notation()
    {
        var result = await Cli.RunAsync("serve", "--help");
        Assert.Contains("[default: 15m]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var result = await Cli.RunAsync("--version");
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Output);
    }
}
