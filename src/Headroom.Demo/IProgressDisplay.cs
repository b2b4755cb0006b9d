namespace Headroom.Demo;

/// <summary>Shows the progress of a long step (writing history, the ETL run), e.g. as a bar on a terminal.</summary>
public interface IProgressDisplay
{
    /// <summary>Runs <paramref name="work"/>, showing what it reports (0..1) under <paramref name="description"/>.</summary>
    Task<T> RunAsync<T>(string description, Func<IProgress<double>, Task<T>> work);
}
