using System.CommandLine;
using System.Globalization;
using Headroom.PromQL.Engine;
using Headroom.PromQL.Testing;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom promql</c>: tools around Headroom's PromQL engine.</summary>
internal static class PromqlCommand
{
    public static Command Create()
    {
        var command = new Command("promql", "Tools around Headroom's PromQL engine: run PromQL test scripts.");
        command.Subcommands.Add(Test());
        return command;
    }

    private static Command Test()
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "Test scripts (.test) or directories searched recursively for them",
            Arity = ArgumentArity.OneOrMore,
        };
        var lookback = SharedOptions.Duration("--lookback-delta", "How far back an instant selector looks for a sample", "5m", TimeSpan.FromMilliseconds(1));
        var quiet = new Option<bool>("--quiet") { Description = "Print only failures and the totals, not one line per file" };
        var command = new Command("test",
            "Run PromQL test scripts (load/clear/eval, the format of Prometheus' promqltest) against the engine over in-memory data. " +
            "Prints passed, failed and skipped evals per file and in total, with a diff for each failure; exits 1 when any eval fails.")
        {
            paths, lookback, quiet,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var files = FindScripts(parse.GetValue(paths)!);
            var options = new EngineOptions { LookbackDelta = parse.GetValue(lookback) };
            int passed = 0, failed = 0, skipped = 0, errors = 0;
            var width = files.Max(f => f.Length);
            foreach (var file in files)
            {
                var result = await ScriptRunner.RunFileAsync(file, options, cancellationToken);
                passed += result.Passed;
                failed += result.Failed;
                skipped += result.Skipped;
                errors += result.Errors.Count;
                var bad = result.Failed > 0 || result.Errors.Count > 0;
                if (!parse.GetValue(quiet) || bad)
                    await output.WriteLineAsync(Line(file.PadRight(width), result.Passed, result.Failed, result.Skipped, result.Errors.Count));
                foreach (var error in result.Errors)
                    await output.WriteLineAsync($"  ERROR {error}");
                foreach (var failure in result.Failures)
                {
                    await output.WriteLineAsync($"  FAIL {failure.File}:{failure.Line}: {failure.Expression}");
                    foreach (var line in (failure.Diff ?? "").Split('\n'))
                        await output.WriteLineAsync("    " + line);
                }
            }
            await output.WriteLineAsync(Line($"total ({files.Count} files)", passed, failed, skipped, errors));
            return failed > 0 || errors > 0 ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static string Line(string name, int passed, int failed, int skipped, int errors) =>
        string.Create(CultureInfo.InvariantCulture, $"{name}  passed {passed,4}  failed {failed,4}  skipped {skipped,4}")
        + (errors > 0 ? string.Create(CultureInfo.InvariantCulture, $"  errors {errors}") : "");

    /// <summary>The scripts named by <paramref name="paths"/>, directories expanded to their <c>.test</c> files in name order.</summary>
    private static List<string> FindScripts(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
                files.Add(path);
            else if (Directory.Exists(path))
            {
                var found = Directory.GetFiles(path, "*.test", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    throw new CliException($"{path}: no .test files in this directory", ExitCodes.Usage);
                files.AddRange(found);
            }
            else
                throw new CliException($"{path}: no such file or directory", ExitCodes.Usage);
        }
        return files;
    }
}
