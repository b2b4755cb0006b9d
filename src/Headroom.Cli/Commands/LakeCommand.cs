using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Headroom.Lake.Publishing;
using Headroom.Lake.Query;
using Headroom.Lake.Storage;
using Headroom.Lake.Utilization;
using Headroom.Warehouse;
using Parquet;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom lake</c>: the warehouse's history as partitioned Parquet on a folder or S3, its Athena/Glue DDL, and SQL over it.</summary>
internal static class LakeCommand
{
    public static Command Create()
    {
        var command = new Command("lake", "The long-term tier: the warehouse's utilization as Hive-partitioned Parquet on a folder or S3, catalogued for Athena/Glue and queryable with SQL.");
        command.Subcommands.Add(Export());
        command.Subcommands.Add(Ddl());
        command.Subcommands.Add(Query());
        return command;
    }

    private static Command Export()
    {
        var location = new LakeLocation(true, "The lake to write: a folder or s3://BUCKET/PREFIX") { Writes = true };
        var database = new Option<string?>("--db") { Description = $"Warehouse URL (default {Configuration.EtlSettings.DefaultDatabase}) [env HEADROOM_DB]" };
        var from = DayOption("--from", "First day to export (YYYY-MM-DD); default two days before the lake's watermark, or the warehouse's first day");
        var to = DayOption("--to", "Day after the last to export (YYYY-MM-DD); default the day after the warehouse's last hour");
        var compression = new Option<string>("--compression") { Description = "Parquet compression: zstd (smaller) or snappy (fastest to read, widest support)", DefaultValueFactory = _ => "zstd" };
        compression.AcceptOnlyFromAmong("zstd", "snappy");
        var format = SharedOptions.Format("table", "json");
        var command = new Command("export", "Export hourly and daily utilization and the resources to Parquet partitions (table=hourly/date=…/account=…/region=…): incremental by the lake's own watermark; each changed partition is written, verified and published atomically with a manifest of row counts and checksums.")
        {
            database, from, to, compression, format,
        };
        location.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(from) is { } f && parse.GetValue(to) is { } t && f >= t)
                throw new CliException($"--from ({f:yyyy-MM-dd}) must be before --to ({t:yyyy-MM-dd})", ExitCodes.Usage);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            await using var store = location.Open(parse, http)!;
            await using var warehouse = await OpenExistingAsync(parse.GetValue(database), cancellationToken);
            var export = new UtilizationExport(warehouse.History(), new PartitionPublisher(store));
            var report = await Guard(store, () => export.RunAsync(new LakeExportOptions
            {
                From = parse.GetValue(from),
                To = parse.GetValue(to),
                Compression = parse.GetValue(compression) == "snappy" ? CompressionMethod.Snappy : CompressionMethod.Zstd,
            }, cancellationToken));
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(format) == "json")
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    lake = store.Location, from = report.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to = report.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    partitions_written = report.PartitionsWritten, partitions_unchanged = report.PartitionsUnchanged, rows_written = report.RowsWritten,
                    bytes_written = report.BytesWritten, seconds = report.Elapsed.TotalSeconds,
                }));
                return ExitCodes.Success;
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"exported {report.From:yyyy-MM-dd}..{report.To:yyyy-MM-dd} (to exclusive) from {warehouse.DisplayUrl} to {store.Location}: {report.PartitionsWritten} partitions written ({report.RowsWritten:N0} rows, {report.BytesWritten:N0} bytes), {report.PartitionsUnchanged} unchanged, in {report.Elapsed.TotalSeconds:F1} s"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Ddl()
    {
        var location = new LakeLocation(true, "The lake whose tables to describe: a folder or s3://BUCKET/PREFIX");
        var format = new Option<string>("--format") { Description = "athena: CREATE EXTERNAL TABLE statements; glue-json: Glue create-table inputs", DefaultValueFactory = _ => "athena" };
        format.AcceptOnlyFromAmong("athena", "glue-json");
        var database = new Option<string>("--database") { Description = "The Glue/Athena database", DefaultValueFactory = _ => "headroom" };
        var s3Location = new Option<string?>("--location")
        {
            Description = "The tables' S3 location when the lake is a folder that will be copied to S3 (s3://BUCKET/PREFIX); default the --lake URL",
            HelpName = "s3://BUCKET/PREFIX",
        };
        var command = new Command("ddl", "Print the Athena CREATE EXTERNAL TABLE statements or the Glue table JSON of what the lake holds, with partition projection (no MSCK REPAIR or crawler needed).")
        {
            format, database, s3Location,
        };
        location.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var lake = parse.GetValue(location.Lake)!;
            var target = parse.GetValue(s3Location) ?? (lake.StartsWith("s3://", StringComparison.Ordinal) ? lake
                : throw new CliException($"--lake {lake} is a folder; Athena reads S3: give --location s3://BUCKET/PREFIX where it will be copied", ExitCodes.Usage));
            if (!target.StartsWith("s3://", StringComparison.Ordinal))
                throw new CliException($"--location '{target}' is not s3://BUCKET/PREFIX", ExitCodes.Usage);
            using var http = new HttpClient();
            await using var store = location.Open(parse, http)!;
            var manifests = await Guard(store, async () =>
            {
                var list = new List<PartitionManifest>();
                await foreach (var m in new PartitionPublisher(store).ListManifestsAsync("table=", cancellationToken))
                    list.Add(m);
                return list;
            });
            if (manifests.Count == 0)
                throw new CliException($"the lake at {store.Location} holds no partitions; run 'headroom lake export --lake {lake}' first");
            var database_ = parse.GetValue(database)!;
            await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(format) == "glue-json"
                ? LakeDdl.GlueJson(database_, target, manifests) + "\n"
                : LakeDdl.Athena(database_, target, manifests));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Query()
    {
        var location = new LakeLocation(true, "The lake to query: a folder or s3://BUCKET/PREFIX");
        var sql = new Argument<string>("sql") { Description = "SQL over the tables hourly, daily and resources (DuckDB's dialect), e.g. \"SELECT count(*) FROM hourly WHERE date = DATE '2026-11-28'\"" };
        var explain = new Option<bool>("--explain") { Description = "Also show the partitions and bytes the query read and what Athena would bill for that scan ($5 per TB, 10 MB minimum)" };
        var format = SharedOptions.Format("table", "csv", "json");
        var command = new Command("query", "Run SQL over the lake with the embedded DuckDB engine; filters on date, month, account and region skip whole partitions.") { sql, explain, format };
        location.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            await using var store = location.Open(parse, http)!;
            await using var lake = await Guard(store, () => LakeQuery.OpenAsync(store, cancellationToken));
            var output = parse.InvocationConfiguration.Output;
            LakeQueryResult result;
            ScanReport? scan = null;
            try
            {
                if (parse.GetValue(explain))
                    (result, scan) = await lake.ExplainAsync(parse.GetValue(sql)!, cancellationToken);
                else
                    result = await lake.QueryAsync(parse.GetValue(sql)!, cancellationToken);
            }
            catch (LakeQueryException e)
            {
                throw new CliException($"the query failed: {e.Message} (tables: hourly, daily, resources)");
            }
            LakeOutput.Write(output, result, parse.GetValue(format)!);
            if (scan is not null)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"scanned {scan.FilesRead} of {lake.Manifests.Count} partitions, {scan.BytesRead:N0} bytes; Athena would bill at most ${scan.AthenaUsd:0.########} ($5/TB, 10 MB minimum)"));
                foreach (var partition in scan.Partitions)
                    await output.WriteLineAsync("  " + partition);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Opens the warehouse <c>--db</c> names (or <see cref="Configuration.WarehouseLocation.Resolve"/> finds), which must exist.</summary>
    internal static Task<IWarehouse> OpenExistingAsync(string? url, CancellationToken cancellationToken) =>
        Configuration.WarehouseLocation.OpenExistingAsync(Configuration.WarehouseLocation.Resolve(url), "load one with 'headroom etl run --source URL'", cancellationToken);

    /// <summary>Runs a lake operation, turning store and verification failures into messages.</summary>
    internal static async Task<T> Guard<T>(IObjectStore store, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (ObjectStoreException e)
        {
            throw new CliException($"the lake at {store.Location}: {e.Message}");
        }
        catch (LakeVerificationException e)
        {
            throw new CliException($"the lake at {store.Location}: {e.Message}");
        }
        catch (WarehouseException e)
        {
            throw new CliException(e.Message);
        }
    }

    private static Option<DateOnly?> DayOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "YYYY-MM-DD",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return day;
            r.AddError($"{name} '{text}' is not a day; use YYYY-MM-DD, e.g. 2026-11-01");
            return null;
        },
    };
}
