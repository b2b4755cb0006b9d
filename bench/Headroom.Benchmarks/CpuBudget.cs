using System.Globalization;

namespace Headroom.Benchmarks;

/// <summary>
/// Gives each server process of a benchmark the same CPU budget, as if each ran on its own machine of that many cores:
/// a cgroup per process with a CFS quota (<c>cpu.cfs_quota_us</c> in cgroup v1's <c>cpu</c> controller, <c>cpu.max</c>
/// in cgroup v2). On one 2-core machine, 4 shards × 2 replicas and a gateway otherwise share the same two cores that
/// the one Prometheus they are compared with has to itself, so a comparison of the two says how the cores are shared,
/// not how the topology scales. Needs root and a writable cgroup file system; says so when it has neither.
/// </summary>
internal sealed class CpuBudget : IAsyncDisposable
{
    private const string V1 = "/sys/fs/cgroup/cpu";
    private const string V2 = "/sys/fs/cgroup";
    private const int PeriodMicroseconds = 100_000;
    private readonly string _root;
    private readonly bool _v2;
    private readonly List<string> _groups = [];

    private CpuBudget(double cores, string root, bool v2)
    {
        Cores = cores;
        _root = root;
        _v2 = v2;
    }

    /// <summary>The cores each limited process may use, on average over every 100 ms.</summary>
    public double Cores { get; }

    /// <summary>Finds the cgroup file system; throws, naming what is missing, when processes cannot be limited here.</summary>
    public static CpuBudget Create(double cores)
    {
        if (!(cores is > 0 and <= 64))
            throw new ArgumentException($"the CPU budget per server must be a number of cores above 0 and at most 64, got {cores.ToString(CultureInfo.InvariantCulture)}");
        if (File.Exists(Path.Combine(V2, "cgroup.controllers")))
        {
            if (!File.ReadAllText(Path.Combine(V2, "cgroup.controllers")).Split(' ', StringSplitOptions.TrimEntries).Contains("cpu"))
                throw new InvalidOperationException($"cgroup v2 at {V2} has no cpu controller: the servers' CPU cannot be limited on this machine");
            // Children get the cpu controller only when the parent hands it down.
            try
            {
                File.WriteAllText(Path.Combine(V2, "cgroup.subtree_control"), "+cpu");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"cannot hand the cpu controller down in {V2}: {e.Message} (run the benchmark as root, outside a container that owns the cgroup tree)", e);
            }
            return new CpuBudget(cores, V2, v2: true);
        }
        if (File.Exists(Path.Combine(V1, "cpu.cfs_quota_us")))
            return new CpuBudget(cores, V1, v2: false);
        throw new InvalidOperationException($"no cgroup cpu controller at {V1} (v1) or {V2} (v2): the servers' CPU cannot be limited on this machine");
    }

    /// <summary>Moves process <paramref name="pid"/> (all its threads) into a cgroup of its own limited to <see cref="Cores"/>.</summary>
    public void Limit(int pid, string name)
    {
        var group = Path.Combine(_root, $"headroom-bench-{Environment.ProcessId}-{_groups.Count}-{name}");
        try
        {
            Directory.CreateDirectory(group);
            _groups.Add(group);
            var quota = (long)Math.Round(Cores * PeriodMicroseconds);
            if (_v2)
            {
                File.WriteAllText(Path.Combine(group, "cpu.max"), string.Create(CultureInfo.InvariantCulture, $"{quota} {PeriodMicroseconds}"));
            }
            else
            {
                File.WriteAllText(Path.Combine(group, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
                File.WriteAllText(Path.Combine(group, "cpu.cfs_quota_us"), quota.ToString(CultureInfo.InvariantCulture));
            }
            File.WriteAllText(Path.Combine(group, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot limit {name}'s CPU in {group}: {e.Message} (run the benchmark as root)", e);
        }
    }

    /// <summary>
    /// How long the cgroup of the process limited as <paramref name="name"/> was held back by its quota, over its life:
    /// the time the limit cost it (null when unknown).
    /// </summary>
    public TimeSpan? Throttled(string name)
    {
        var group = _groups.FirstOrDefault(g => g.EndsWith("-" + name, StringComparison.Ordinal));
        if (group is null || !File.Exists(Path.Combine(group, "cpu.stat")))
            return null;
        foreach (var line in File.ReadLines(Path.Combine(group, "cpu.stat")))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] == (_v2 ? "throttled_usec" : "throttled_time"))
            {
                var value = long.Parse(parts[1], CultureInfo.InvariantCulture);
                return _v2 ? TimeSpan.FromMicroseconds(value) : TimeSpan.FromTicks(value / 100);
            }
        }
        return null;
    }

    /// <summary>Removes the cgroups, moving back to the root any process still in one (the servers are stopped first).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var group in _groups)
        {
            for (var attempt = 0; Directory.Exists(group); attempt++)
            {
                try
                {
                    foreach (var pid in File.ReadAllLines(Path.Combine(group, "cgroup.procs")))
                        File.WriteAllText(Path.Combine(_root, "cgroup.procs"), pid);
                    Directory.Delete(group);
                }
                catch (IOException) when (attempt < 20)
                {
                    await Task.Delay(100);
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"could not remove cgroup {group}: {e.Message}");
                    break;
                }
            }
        }
    }
}
