using System.Text;
using System.Text.Json.Nodes;
using Headroom.Lake.Publishing;
using Parquet.Schema;

namespace Headroom.Lake.Utilization;

/// <summary>
/// The catalog entries of the lake for Athena and Glue: <c>CREATE EXTERNAL TABLE</c> statements and Glue <c>TableInput</c>
/// JSON with partition projection, so that no <c>MSCK REPAIR TABLE</c> or crawler is needed. The date range starts at
/// the first partition written and runs to <c>NOW</c>; accounts and regions are the values written (an enum), so run
/// it again after an export that brought a new account.
/// </summary>
public static class LakeDdl
{
    private const string Serde = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    private const string InputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    private const string OutputFormat = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";

    /// <summary>The <c>CREATE EXTERNAL TABLE</c> statements of the tables in <paramref name="manifests"/>, located under <paramref name="location"/> (<c>s3://bucket/prefix</c>).</summary>
    public static string Athena(string database, string location, IReadOnlyList<PartitionManifest> manifests)
    {
        var sql = new StringBuilder();
        foreach (var table in Tables(location, manifests))
        {
            sql.Append("CREATE EXTERNAL TABLE IF NOT EXISTS `").Append(database).Append("`.`").Append(table.Name).Append("` (\n");
            sql.AppendJoin(",\n", table.Columns.Select(c => $"  `{c.Name}` {c.Type}")).Append('\n').Append(')');
            if (table.Partitions.Count > 0)
                sql.Append("\nPARTITIONED BY (").AppendJoin(", ", table.Partitions.Select(p => $"`{p.Name}` {p.Type}")).Append(')');
            sql.Append("\nSTORED AS PARQUET\nLOCATION '").Append(table.Location).Append('\'');
            sql.Append("\nTBLPROPERTIES (\n").AppendJoin(",\n", table.Properties.Select(p => $"  '{p.Key}' = '{p.Value}'")).Append("\n);\n\n");
        }
        return sql.ToString();
    }

    /// <summary>Glue <c>create-table</c> inputs (<c>DatabaseName</c> and <c>TableInput</c>) of the tables, as a JSON array.</summary>
    public static string GlueJson(string database, string location, IReadOnlyList<PartitionManifest> manifests)
    {
        var array = new JsonArray();
        foreach (var table in Tables(location, manifests))
        {
            var parameters = new JsonObject { ["classification"] = "parquet", ["EXTERNAL"] = "TRUE" };
            foreach (var (key, value) in table.Properties)
                parameters[key] = value;
            array.Add(new JsonObject
            {
                ["DatabaseName"] = database,
                ["TableInput"] = new JsonObject
                {
                    ["Name"] = table.Name,
                    ["TableType"] = "EXTERNAL_TABLE",
                    ["Parameters"] = parameters,
                    ["PartitionKeys"] = new JsonArray(table.Partitions.Select(p => (JsonNode)new JsonObject { ["Name"] = p.Name, ["Type"] = p.Type }).ToArray()),
                    ["StorageDescriptor"] = new JsonObject
                    {
                        ["Columns"] = new JsonArray(table.Columns.Select(c => (JsonNode)new JsonObject { ["Name"] = c.Name, ["Type"] = c.Type }).ToArray()),
                        ["Location"] = table.Location,
                        ["InputFormat"] = InputFormat,
                        ["OutputFormat"] = OutputFormat,
                        ["SerdeInfo"] = new JsonObject { ["SerializationLibrary"] = Serde },
                    },
                },
            });
        }
        return array.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private sealed record Column(string Name, string Type);

    private sealed record Table(string Name, IReadOnlyList<Column> Columns, IReadOnlyList<Column> Partitions, string Location, IReadOnlyList<KeyValuePair<string, string>> Properties);

    private static IEnumerable<Table> Tables(string location, IReadOnlyList<PartitionManifest> manifests)
    {
        location = location.TrimEnd('/');
        foreach (var (name, schema, time) in new[] { ("hourly", UtilizationParquet.HourlySchema, "date"), ("daily", UtilizationParquet.DailySchema, "month") })
        {
            var written = manifests.Where(m => m.Partition.StartsWith($"table={name}/", StringComparison.Ordinal)).ToList();
            if (written.Count == 0)
                continue;
            var root = $"{location}/table={name}/";
            var firstTime = written.Select(m => m[time]!).Min(StringComparer.Ordinal)!;
            var properties = new List<KeyValuePair<string, string>>
            {
                new("projection.enabled", "true"),
                new($"projection.{time}.type", "date"),
                new($"projection.{time}.format", time == "date" ? "yyyy-MM-dd" : "yyyy-MM"),
                new($"projection.{time}.range", $"{firstTime},NOW"),
                new($"projection.{time}.interval", "1"),
                new($"projection.{time}.interval.unit", time == "date" ? "DAYS" : "MONTHS"),
            };
            foreach (var key in (string[])["account", "region"])
            {
                properties.Add(new($"projection.{key}.type", "enum"));
                properties.Add(new($"projection.{key}.values", string.Join(',', written.Select(m => LakeLayout.Escape(m[key]!)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))));
            }
            properties.Add(new("storage.location.template", $"{root}{time}=${{{time}}}/account=${{account}}/region=${{region}}/"));
            yield return new Table(name, ColumnsOf(schema),
                [new(time, time == "date" ? "date" : "string"), new("account", "string"), new("region", "string")], root, properties);
        }
        if (manifests.Any(m => m.Partition == "table=resources"))
            yield return new Table("resources", ColumnsOf(UtilizationParquet.ResourcesSchema), [], $"{location}/table=resources/", []);
    }

    private static List<Column> ColumnsOf(ParquetSchema schema) => schema.DataFields.Select(f => new Column(f.Name, f switch
    {
        DateTimeDataField => "timestamp",
        _ when f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>) => "string",
        _ when f.ClrType == typeof(double) => "double",
        _ when f.ClrType == typeof(long) => "bigint",
        _ when f.ClrType == typeof(int) => "int",
        _ when f.ClrType == typeof(DateOnly) => "date",
        _ => throw new InvalidOperationException($"no Athena type for {f.Name} ({f.ClrType.Name})"),
    })).ToList();
}
