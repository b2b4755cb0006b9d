namespace Headroom.PromQL.Testing;

/// <summary>How one <c>eval</c> of a test script ended.</summary>
public enum EvalStatus
{
    /// <summary>The result matched the expectation.</summary>
    Passed,

    /// <summary>The result differed from the expectation, or the query failed unexpectedly.</summary>
    Failed,

    /// <summary>Not run: the loaded data holds native histogram samples, which the engine does not read yet.</summary>
    Skipped,
}

/// <summary>The outcome of one <c>eval</c>.</summary>
/// <param name="File">The script's file name.</param>
/// <param name="Line">The 1-based line of the <c>eval</c> command.</param>
/// <param name="Expression">The evaluated PromQL.</param>
/// <param name="Status">Passed, failed or skipped.</param>
/// <param name="Diff">For a failure: what was expected and what came back; otherwise null.</param>
public sealed record EvalOutcome(string File, int Line, string Expression, EvalStatus Status, string? Diff)
{
    /// <inheritdoc />
    public override string ToString() => Diff is null
        ? $"{File}:{Line}: {Status}: {Expression}"
        : $"{File}:{Line}: {Status}: {Expression}\n{Diff}";
}

/// <summary>The outcome of a whole script.</summary>
/// <param name="Path">The script that ran.</param>
/// <param name="Outcomes">One entry per <c>eval</c>, in file order.</param>
/// <param name="Errors">Problems outside evals, such as unreadable <c>load</c> lines.</param>
public sealed record ScriptResult(string Path, IReadOnlyList<EvalOutcome> Outcomes, IReadOnlyList<string> Errors)
{
    /// <summary>Evals whose result matched.</summary>
    public int Passed => Outcomes.Count(o => o.Status == EvalStatus.Passed);

    /// <summary>Evals whose result did not match.</summary>
    public int Failed => Outcomes.Count(o => o.Status == EvalStatus.Failed);

    /// <summary>Evals not run because their data holds native histograms.</summary>
    public int Skipped => Outcomes.Count(o => o.Status == EvalStatus.Skipped);

    /// <summary>The failed evals.</summary>
    public IEnumerable<EvalOutcome> Failures => Outcomes.Where(o => o.Status == EvalStatus.Failed);
}
