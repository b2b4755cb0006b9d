using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Headroom.Warehouse;

/// <summary>
/// Named points on the write paths (a window commit, a lake partition's publication) where a crash test can make a real
/// <c>headroom</c> process stall or die, chosen by the environment variable <see cref="Variable"/>:
/// <c>HEADROOM_FAILPOINTS="warehouse.commit.daily=sleep(150),lake.manifest-published=kill(2)"</c>.
/// A test that kills a process from outside at a random moment can miss a run that finishes in milliseconds; one that
/// slows the run where nothing can see it, or kills it at a named step, cannot. Without the variable a point costs
/// one dictionary lookup on an empty table.
/// </summary>
public static partial class Failpoint
{
    /// <summary>The environment variable the points are read from, once per process.</summary>
    public const string Variable = "HEADROOM_FAILPOINTS";

    /// <summary>Inside a lake partition's publication: its data files are uploaded, its manifest is not.</summary>
    public const string LakeFilesUploaded = "lake.files-uploaded";

    /// <summary>Inside a lake partition's publication: its manifest is published, files no manifest names are not yet deleted.</summary>
    public const string LakeManifestPublished = "lake.manifest-published";

    /// <summary>A lake export has published every partition and not yet moved its watermark.</summary>
    public const string LakeWatermark = "lake.watermark";

    /// <summary>The prefix of the points before each step of a window commit, inside its transaction (<c>warehouse.commit.daily</c>).</summary>
    public const string CommitPrefix = "warehouse.commit.";

    private static readonly string[] s_commitPoints = Enum.GetValues<CommitStep>()
        .Select(step => CommitPrefix + step.ToString().ToLowerInvariant()).ToArray();

    private static readonly FrozenSet<string> s_known = new[] { LakeFilesUploaded, LakeManifestPublished, LakeWatermark }
        .Concat(s_commitPoints).ToFrozenSet(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, PointAction>> s_points =
        new(() => Parse(Environment.GetEnvironmentVariable(Variable)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The names a point may have, for an error message and the docs.</summary>
    public static IReadOnlyCollection<string> Known => s_known;

    /// <summary>
    /// Reads <see cref="Variable"/> now, so that a mistyped point fails the command at its start rather than going
    /// unnoticed (a crash test whose kill never fires would pass for the wrong reason).
    /// </summary>
    /// <exception cref="FormatException">The variable names an unknown point or action; the message says which and what is known.</exception>
    public static void Validate() => _ = s_points.Value;

    /// <summary>Passes the point <paramref name="name"/>: sleeps or kills the process when the variable asks for it.</summary>
    public static ValueTask HitAsync(string name, CancellationToken cancellationToken = default)
    {
        var points = s_points.Value;
        return points.Count == 0 || !points.TryGetValue(name, out var action) ? ValueTask.CompletedTask : action.RunAsync(name, cancellationToken);
    }

    /// <summary>The point before <paramref name="step"/> of a window commit.</summary>
    internal static string CommitPoint(CommitStep step) => s_commitPoints[(int)step];

    /// <summary>Parses the variable's value: comma-separated <c>name=sleep(MILLISECONDS)</c> or <c>name=kill(HIT)</c>.</summary>
    internal static FrozenDictionary<string, PointAction> Parse(string? value)
    {
        var points = new Dictionary<string, PointAction>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(value))
            return points.ToFrozenDictionary(StringComparer.Ordinal);
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = EntryPattern().Match(entry);
            if (!match.Success)
                throw new FormatException($"{Variable}: '{entry}' is not NAME=sleep(MILLISECONDS) or NAME=kill(HIT), e.g. {CommitPrefix}daily=sleep(150)");
            var name = match.Groups["name"].Value;
            if (!s_known.Contains(name))
                throw new FormatException($"{Variable}: unknown point '{name}'; known: {string.Join(", ", s_known.Order(StringComparer.Ordinal))}");
            if (!int.TryParse(match.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                throw new FormatException($"{Variable}: '{entry}' needs a whole number of at least 1 in the parentheses");
            if (!points.TryAdd(name, new PointAction(match.Groups["action"].Value == "kill", n)))
                throw new FormatException($"{Variable}: the point '{name}' is named twice; give it one action");
        }
        return points.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^(?<name>[a-z.\-]+)=(?<action>sleep|kill)\((?<n>[0-9]+)\)$", RegexOptions.CultureInvariant)]
    private static partial Regex EntryPattern();

    /// <summary>What a point does: sleep <see cref="N"/> milliseconds at every hit, or kill the process at its <see cref="N"/>th hit.</summary>
    internal sealed class PointAction(bool kill, int n)
    {
        private int _hits;

        public bool Kill => kill;

        public int N => n;

        public async ValueTask RunAsync(string name, CancellationToken cancellationToken)
        {
            if (!kill)
            {
                await Task.Delay(n, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (Interlocked.Increment(ref _hits) != n)
                return;
            await Console.Error.WriteLineAsync($"failpoint {name}: killing the process with SIGKILL at hit {n}").ConfigureAwait(false);
            await Console.Error.FlushAsync(cancellationToken).ConfigureAwait(false);
            // SIGKILL, as an operator's kill -9 or the OOM killer: no finally block, disposal or flush runs after this.
            using var self = Process.GetCurrentProcess();
            self.Kill();
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }
}
