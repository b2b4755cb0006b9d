using Headroom.Lake.Publishing;
using Headroom.Lake.Utilization;
using Headroom.Warehouse;

namespace Headroom.Lake.Tests;

/// <summary>
/// The content checksum the export writes into manifests and the prune recomputes from the warehouse: the typed row
/// writer (the export's fast path) gives the same value as the field-list definition manifests were written with, in
/// any row order, and one changed value, a missing row or an extra row changes it.
/// </summary>
public sealed class ContentChecksumTests
{
    private static readonly DateTimeOffset s_hour = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);

    private static List<HourlyHistoryRow> Rows() =>
    [
        new("node", "123456789012", "eu-west-1", new HourlyUtilization("instance=\"a:9100\"", "cpu", s_hour, 0.25, 0.1, 0.5, 0.45, 0.5, 60, 60)),
        new("node", null, null, new HourlyUtilization("instance=\"b:9100\"", "cpu", s_hour, 0.1 + 0.2, 0, 1, 0.9, null, 59, 60)),
        new("node", "123456789012", "eu-west-1", new HourlyUtilization("instance=\"a:9100\"", "network_in", s_hour.AddHours(1), 40_000.5, -0.0, 1e300, double.Epsilon, 12, 0, 60)),
        new("ec2 ünïcode", "x", "y", new HourlyUtilization("i-0abc", "memory", s_hour.AddHours(23), double.NaN, 0, 0, 0, 0, long.MaxValue, 1)),
    ];

    private static string Checksum(IEnumerable<HourlyHistoryRow> rows)
    {
        var checksum = new ContentChecksum();
        foreach (var row in rows)
            UtilizationParquet.Add(checksum, row);
        return checksum.ToString();
    }

    [Fact]
    public void The_typed_row_writer_gives_the_checksum_of_the_field_list_definition()
    {
        var definition = new ContentChecksum();
        foreach (var r in Rows())
        {
            var h = r.Row;
            definition.AddRow(r.Profile, r.Account, r.Region, h.ResourceKey, h.Dimension, h.HourStart, h.Avg, h.Min, h.Max, h.P95, h.Max5m, h.Samples, h.Expected);
        }
        Assert.Equal(definition.ToString(), Checksum(Rows()));

        var day = new DailyUtilization("i-0abc", "cpu", new DateOnly(2026, 11, 28), 0.3, 0.1, 0.9, 0.8, null, 1440, 1440, 24);
        var daily = new ContentChecksum();
        UtilizationParquet.Add(daily, new DailyHistoryRow("node", null, "eu-west-1", day));
        var dailyDefinition = new ContentChecksum();
        dailyDefinition.AddRow("node", null, "eu-west-1", day.ResourceKey, day.Dimension, day.Day, day.Avg, day.Min, day.Max, day.P95, day.Max5m, day.Samples, day.Expected, day.Hours);
        Assert.Equal(dailyDefinition.ToString(), daily.ToString());
    }

    [Fact]
    public void Row_order_does_not_matter_but_one_changed_missing_or_extra_row_does()
    {
        var rows = Rows();
        var expected = Checksum(rows);
        Assert.Equal(expected, Checksum(Enumerable.Reverse(rows)));

        // The smallest change a double can take, in one value of one row.
        var changed = Rows();
        changed[1] = changed[1] with { Row = changed[1].Row with { Avg = Math.BitIncrement(changed[1].Row.Avg) } };
        Assert.NotEqual(expected, Checksum(changed));
        // A null that becomes a value, and a moved account.
        changed = Rows();
        changed[1] = changed[1] with { Row = changed[1].Row with { Max5m = 0 } };
        Assert.NotEqual(expected, Checksum(changed));
        changed = Rows();
        changed[0] = changed[0] with { Account = "123456789013" };
        Assert.NotEqual(expected, Checksum(changed));

        Assert.NotEqual(expected, Checksum(rows.Skip(1)));
        Assert.NotEqual(expected, Checksum(rows.Append(rows[0])));
    }
}
