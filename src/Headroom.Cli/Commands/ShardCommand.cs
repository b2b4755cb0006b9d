using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Headroom.Cli.Configuration;
using Headroom.Prometheus;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.Relabeling;
using Headroom.Sharding;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom shard</c>: plan how many Prometheus shards a fleet needs and which targets each scrapes, balanced by
/// series rather than by target; and keep that plan in force as the fleet changes (<c>autoscale</c>).
/// </summary>
internal static partial class ShardCommand
{
    public static Command Create()
    {
        var command = new Command("shard", "Plan Prometheus shards by series (not by target) and resize them as the fleet grows, with no gap in any series.");
        command.Subcommands.Add(Plan());
        command.Subcommands.Add(Autoscale());
        return command;
    }

    private static Command Plan()
    {
        var source = new Option<string>("--source")
        {
            Description = "The Prometheus (or gateway over the shards) that scrapes the fleet: series per target and each shard's own memory and CPU are read from it",
            Required = true,
        };
        var targets = new Option<FileInfo>("--targets")
        {
            Description = "The fleet's targets, a Prometheus file_sd JSON file",
            Required = true,
        };
        var budgetSeries = new Option<long?>("--budget-series")
        {
            Description = "The most head series one shard may hold",
            Validators = { SharedOptions.Check<long?>(v => v is < 1 ? $"--budget-series must be at least 1, got {v}" : null) },
        };
        var budgetMemory = new Option<double?>("--budget-memory")
        {
            Description = "The memory one shard may use, e.g. 8GiB; turned into series with the bytes per series the shards measure",
            CustomParser = r =>
            {
                var text = r.Tokens.Single().Value;
                if (ByteSize.TryParse(text, out var bytes, out var error))
                    return bytes;
                r.AddError($"--budget-memory: {error}");
                return null;
            },
            HelpName = "size",
        };
        var shards = new Option<int?>("--shards")
        {
            Description = "Plan onto exactly this many shards instead of deriving the count from a budget",
            Validators = { SharedOptions.Check<int?>(v => v is < 1 ? $"--shards must be at least 1, got {v}" : null) },
        };
        var job = new Option<string?>("--job") { Description = "Read series only for targets of this job (default: every job)" };
        var output = new Option<DirectoryInfo?>("--out")
        {
            Description = "Write shard-0.json, shard-1.json, ... (file_sd, one per shard) here; shard files already there are the previous plan, which the new one moves as little as it can",
        };
        var timeout = SharedOptions.Duration("--timeout", "How long the source may take to answer one query", "30s", TimeSpan.FromSeconds(1), SharedOptions.LongestWait);
        var format = SharedOptions.Format("table", "json");
        var command = new Command("plan",
            "Print how many shards the fleet needs and a series-balanced, sticky assignment of its targets, beside what plain hashmod would do; " +
            "with --out, write one file_sd file per shard (Prometheus re-reads them by itself).")
        {
            source, targets, budgetSeries, budgetMemory, shards, job, output, timeout, format,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = new[] { parse.GetValue(budgetSeries) is not null, parse.GetValue(budgetMemory) is not null, parse.GetValue(shards) is not null }.Count(static b => b);
            if (given != 1)
                throw new CliException("give exactly one of --budget-series N, --budget-memory SIZE (e.g. 8GiB) or --shards N", ExitCodes.Usage);
            var fleet = ReadTargets(parse.GetValue(targets)!);
            var url = SourceConnection.ParseUrl(parse.GetValue(source)!);
            using var http = new HttpClient { Timeout = parse.GetValue(timeout) };
            var measured = await UsageReader.ReadAsync(new PrometheusClient(http, url), parse.GetValue(job), cancellationToken);
            var (planned, estimated) = measured.SeriesOf(fleet);
            var memory = MemoryModel.Of(measured.Shards);
            var directory = parse.GetValue(output)?.FullName;
            ShardPlan? previous;
            ShardPlan plan;
            long? budget = null;
            try
            {
                previous = directory is null ? null : TargetFile.ReadPrevious(directory, planned);
                if (parse.GetValue(shards) is { } count)
                {
                    plan = ShardPlanner.Plan(planned, count, previous);
                }
                else
                {
                    budget = parse.GetValue(budgetSeries) ?? memory.SeriesWithin(parse.GetValue(budgetMemory)!.Value);
                    plan = ShardPlanner.PlanWithin(planned, budget.Value, previous);
                }
            }
            catch (ShardingException e)
            {
                throw new CliException(e.Message);
            }
            var report = new PlanReport(plan, HashmodPlan.Of(planned, plan.ShardCount), plan.ChangeFrom(previous), previous is not null,
                budget, memory, measured, estimated);
            IReadOnlyList<string> written = [];
            if (directory is not null)
                written = await TargetFile.WriteAsync(directory, plan, fleet, cancellationToken);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
                await writer.WriteLineAsync(report.ToJson(written));
            else
                report.Print(FleetCommand.Console(writer), written);
            return ExitCodes.Success;
        });
        return command;
    }

    private static IReadOnlyList<FileSdTarget> ReadTargets(FileInfo file)
    {
        try
        {
            var targets = TargetFile.Read(file.FullName);
            if (targets.Count == 0)
                throw new CliException($"{file.FullName} lists no targets; give the fleet's file_sd file", ExitCodes.Usage);
            return targets;
        }
        catch (ShardingException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
    }

    /// <summary>What <c>shard plan</c> prints: the plan beside hashmod, what moves, and what the shards measured.</summary>
    private sealed record PlanReport(ShardPlan Plan, ShardPlan Hashmod, PlanChange Change, bool HadPrevious, long? Budget,
        MemoryModel Memory, FleetMeasurement Measured, int Estimated)
    {
        public void Print(IAnsiConsole console, IReadOnlyList<string> written)
        {
            var table = new Table().AddColumns("shard", "targets", "series", "est. memory", "hashmod targets", "hashmod series");
            for (var s = 0; s < Plan.ShardCount; s++)
            {
                table.AddRow(s.ToString(CultureInfo.InvariantCulture), N(Plan.TargetsPerShard[s]), N(Plan.SeriesPerShard[s]),
                    ByteSize.Format(Memory.BytesFor(Plan.SeriesPerShard[s])), N(Hashmod.TargetsPerShard[s]), N(Hashmod.SeriesPerShard[s]));
            }
            table.AddRow("max/mean", "", F(Plan.Balance), "", "", F(Hashmod.Balance));
            console.Write(table);
            var lines = new List<string>
            {
                Inv($"{Plan.ShardCount} shards for {N(Plan.Targets.Count)} targets, {N(Plan.TotalSeries)} series") +
                    (Budget is { } b ? Inv($" (budget {N(b)} series per shard)") : ""),
                Inv($"largest shard {F(Plan.Balance)}x the mean; plain hashmod: {F(Hashmod.Balance)}x"),
                Inv($"memory: {ByteSize.Format(Memory.BytesPerSeries)} per series + {ByteSize.Format(Memory.FixedBytes)} per shard ({Memory.Source}, {Measured.Shards.Count} shards measured)"),
            };
            if (HadPrevious)
                lines.Add(Inv($"moved from the previous plan: {N(Change.TargetsMoved)} targets, {N(Change.SeriesMoved)} series ({Change.SeriesMovedShare:P1})"));
            if (Estimated > 0)
                lines.Add(Inv($"{N(Estimated)} targets not scraped yet were counted at the median target's series"));
            foreach (var shard in Measured.Shards)
                lines.Add(Inv($"measured shard {shard.Instance}: {N(shard.HeadSeries)} head series, {(double.IsFinite(shard.ResidentBytes) ? ByteSize.Format(shard.ResidentBytes) : "-")} resident, {UsageReader.Cores(shard.CpuCores)} cores"));
            foreach (var path in written)
                lines.Add("wrote " + path);
            foreach (var line in lines)
                console.WriteLine(line);
        }

        public string ToJson(IReadOnlyList<string> written)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("shards", Plan.ShardCount);
                json.WriteNumber("targets", Plan.Targets.Count);
                json.WriteNumber("series", Plan.TotalSeries);
                if (Budget is { } b)
                    json.WriteNumber("budget_series", b);
                json.WriteNumber("balance", Plan.Balance);
                json.WriteNumber("hashmod_balance", Hashmod.Balance);
                json.WriteNumber("bytes_per_series", Memory.BytesPerSeries);
                json.WriteNumber("fixed_bytes", Memory.FixedBytes);
                json.WriteString("memory_model", Memory.Source);
                json.WriteNumber("estimated_targets", Estimated);
                if (HadPrevious)
                {
                    json.WriteNumber("targets_moved", Change.TargetsMoved);
                    json.WriteNumber("series_moved", Change.SeriesMoved);
                }
                json.WriteStartArray("plan");
                for (var s = 0; s < Plan.ShardCount; s++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("shard", s);
                    json.WriteNumber("targets", Plan.TargetsPerShard[s]);
                    json.WriteNumber("series", Plan.SeriesPerShard[s]);
                    json.WriteNumber("hashmod_targets", Hashmod.TargetsPerShard[s]);
                    json.WriteNumber("hashmod_series", Hashmod.SeriesPerShard[s]);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("files");
                foreach (var path in written)
                    json.WriteStringValue(path);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }

        private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

        private static string F(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

        private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
    }
}
