using System.Globalization;
using System.Text;
using Headroom.Lake.Publishing;

namespace Headroom.Lake.Utilization;

/// <summary>
/// Where the warehouse's tables live in the lake. Hive-style folders: <c>table=hourly/date=YYYY-MM-DD/account=A/region=R/</c>,
/// <c>table=daily/month=YYYY-MM/account=A/region=R/</c> and <c>table=resources/</c>, each with <c>part-0.parquet</c>
/// and its <c>_manifest.json</c>. A resource without account or region is filed under <see cref="None"/>.
/// </summary>
public static class LakeLayout
{
    /// <summary>The partition value of an absent account or region.</summary>
    public const string None = "none";

    /// <summary>The data file of a partition (one per partition: a day of one account and region is far below a row group's worth).</summary>
    public const string DataFile = "part-0.parquet";

    /// <summary>The export's own watermark.</summary>
    public const string WatermarkKey = "_headroom/export.json";

    /// <summary>The tables, as <c>headroom lake query</c> names them.</summary>
    public static readonly IReadOnlyList<string> Tables = ["hourly", "daily", "resources"];

    /// <summary>The partition of one day of hourly rows of one account and region.</summary>
    public static (string Path, IReadOnlyList<PartitionKey> Keys) Hourly(DateOnly day, string? account, string? region) =>
        Partition("hourly", new("date", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)), account, region);

    /// <summary>The partition of one month of daily rows of one account and region.</summary>
    public static (string Path, IReadOnlyList<PartitionKey> Keys) Daily(DateOnly month, string? account, string? region) =>
        Partition("daily", new("month", month.ToString("yyyy-MM", CultureInfo.InvariantCulture)), account, region);

    /// <summary>The partition of the resources.</summary>
    public static (string Path, IReadOnlyList<PartitionKey> Keys) Resources() => ("table=resources", []);

    private static (string, IReadOnlyList<PartitionKey>) Partition(string table, PartitionKey time, string? account, string? region)
    {
        PartitionKey[] keys = [time, new("account", account ?? None), new("region", region ?? None)];
        return ($"table={table}/" + string.Join('/', keys.Select(k => k.Name + "=" + Escape(k.Value))), keys);
    }

    /// <summary>Hive's escaping of a partition value: every character but letters, digits, '.', '_' and '-' as %XX.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')
                builder.Append(c);
            else
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }
}
