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
                output.WriteLine(JsonSerializer.Serialize(result.Rows.Select(r => result.Columns.Select((c, i) => (c, v: Json(r[i]))).ToDictionary(p => p.c, p => p.v)).ToList()));
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
        // TimeOnly's default is the short time (01:02): seconds and fractions as DuckDB prints them.
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'),
        // A BLOB comes as a stream: its bytes as DuckDB prints them (\x01 for a byte that is not printable), not the stream's type.
        Stream blob => Blob(blob),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string text => text,
        // DuckDB's STRUCT and MAP come as dictionaries, its LIST as a list: written as DuckDB prints them, not as .NET type names.
        System.Collections.IDictionary map => "{" + string.Join(", ", map.Keys.Cast<object>().Select(k => $"{Text(k)}: {Text(map[k]) ?? "NULL"}")) + "}",
        System.Collections.IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(v => Text(v) ?? "NULL")) + "]",
        _ => value.ToString(),
    };

    private static string Blob(Stream blob)
    {
        using var bytes = new MemoryStream();
        blob.CopyTo(bytes);
        var text = new System.Text.StringBuilder();
        foreach (var b in bytes.ToArray())
        {
            if (b is >= 32 and <= 126 and not (byte)'\\' and not (byte)'\'' and not (byte)'"')
                text.Append((char)b);
            else
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:X2}");
        }
        return text.ToString();
    }

    /// <summary>A value for JSON: lists and structs nested as JSON arrays and objects, everything else as its text.</summary>
    private static object? Json(object? value) => value switch
    {
        null or string => value,
        System.Collections.IDictionary map => map.Keys.Cast<object>().ToDictionary(k => Text(k) ?? "", k => Json(map[k])),
        System.Collections.IEnumerable list => list.Cast<object?>().Select(Json).ToList(),
        _ => Text(value),
    };

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
