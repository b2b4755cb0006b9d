using System.Globalization;

namespace Headroom.Fleet.Tests;

/// <summary>Reads exposition text into series → value, for assertions.</summary>
internal static class Metrics
{
    public static Dictionary<string, double> Parse(string text)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            var space = line.LastIndexOf(' ');
            result[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return result;
    }

    /// <summary>CPU utilization (0..1) between two scrapes, the way 1 - avg(rate(idle)) computes it.</summary>
    public static double CpuUtilization(SimulatedHost host, DateTimeOffset from, DateTimeOffset to)
    {
        var a = Parse(Exposition.ToText(host, from));
        var b = Parse(Exposition.ToText(host, to));
        var idle = a.Keys.Where(k => k.StartsWith("node_cpu_seconds_total{", StringComparison.Ordinal) && k.Contains("mode=\"idle\"", StringComparison.Ordinal)).ToList();
        var idleRate = idle.Average(k => (b[k] - a[k]) / (to - from).TotalSeconds);
        return 1 - idleRate;
    }
}
