using Headroom.PromQL.Syntax;
using Xunit.Abstractions;

namespace Headroom.PromQL.Tests;

public class ConformanceRoundTripTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void Every_conformance_expression_parses_and_round_trips()
    {
        var folder = ConformanceScripts.RequireFolder("the parse and print round trip of every conformance expression");

        var evals = ConformanceScripts.Read(folder);
        var failures = new List<string>();
        var required = new Tally();
        var experimental = new Tally();
        var roundTrips = 0;
        var parsedTotal = 0;
        foreach (var eval in evals)
        {
            var tally = ConformanceScripts.IsExperimental(eval.File) ? experimental : required;
            Expr? parsed = null;
            ParseException? error = null;
            try
            {
                parsed = Parser.Parse(eval.Expression);
            }
            catch (ParseException e)
            {
                error = e;
            }

            if (eval.ExpectFail)
            {
                tally.FailTotal++;
                if (parsed is not null)
                {
                    tally.FailParsed++;
                }
                else if (eval.FailMessage is null || error!.Detail == eval.FailMessage)
                {
                    tally.FailRejectedAsExpected++;
                }
                else
                {
                    failures.Add($"{eval}: rejected with \"{error!.Detail}\", script expects \"{eval.FailMessage}\"");
                }
            }
            else
            {
                tally.Total++;
                if (parsed is null)
                {
                    failures.Add($"{eval}: {error!.Message}");
                }
                else
                {
                    tally.Parsed++;
                }
            }

            if (parsed is not null)
            {
                parsedTotal++;
                var printed = parsed.ToString();
                try
                {
                    var reparsed = Parser.Parse(printed);
                    if (reparsed.Equals(parsed) && reparsed.ToString() == printed)
                    {
                        roundTrips++;
                    }
                    else
                    {
                        failures.Add($"{eval}: round trip changed the tree; printed {printed}");
                    }
                }
                catch (ParseException e)
                {
                    failures.Add($"{eval}: printed form {printed} does not parse: {e.Message}");
                }
            }
        }

        output.WriteLine($"required scripts: {required}");
        output.WriteLine($"experimental scripts ({string.Join(", ", ConformanceScripts.ExperimentalFiles)}): {experimental}");
        output.WriteLine($"round trip print -> parse -> equal: {roundTrips}/{parsedTotal}");
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }
        Assert.True(evals.Count > 2000, $"only {evals.Count} evals found in {folder}");
        Assert.Empty(failures);
    }

    private sealed class Tally
    {
        public int Total { get; set; }
        public int Parsed { get; set; }
        public int FailTotal { get; set; }
        public int FailParsed { get; set; }
        public int FailRejectedAsExpected { get; set; }

        public override string ToString() =>
            $"{Parsed}/{Total} expressions parse; of {FailTotal} expected to fail, {FailRejectedAsExpected} are rejected by the parser "
            + $"(with the script's message where it gives one) and {FailParsed} parse and are left to the engine";
    }
}
