using System.Globalization;
using System.Text.Json;
using Headroom.Lake.Query;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary>Rows of a lake query as a table, CSV or JSON.</summary>
internal static class LakeOutput
{
    public static void Write(TextWriter output, LakeQueryResult result, string format)
    {
        switch (format)
        {
            case "json":
                output.WriteLine(JsonSerializer.Serialize(result.Rows.Select(r => result.Columns.Select((c, i) => (c, v: Text(r[i]))).ToDictionary(p => p.c, p => p.v)).ToList()));
                break;
            case "csv":
                output.WriteLine(string.Join(',', result.Columns.Select(Csv)));
                foreach (var row in result.Rows)
                    output.WriteLine(string.Join(',', row.Select(v => Csv(Text(v) ?? ""))));
                break;
            default:
                var table = new Table().AddColumns(result.Columns.Select(c => new TableColumn(Markup.Escape(c))).ToArray());
                foreach (var row in result.Rows)
                    table.AddRow(row.Select(v => Markup.Escape(Text(v) ?? "NULL")).ToArray());
                FleetCommand.Console(output).Write(table);
                output.WriteLine($"{result.Rows.Count} rows");
                break;
        }
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        DateTime t => t.ToString(t.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
