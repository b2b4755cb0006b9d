namespace Headroom.Demo;

/// <summary>
/// <c>headroom demo</c>: the whole story on this machine. A simulated fleet, its history backfilled into a real
/// Prometheus with promtool, Prometheus scraping the live fleet, the data read back through the API, the ETL into a
/// SQLite warehouse and the report. <see cref="DemoOptions.Aws"/> tells it through CloudWatch, and
/// <see cref="DemoOptions.Shards"/> and <see cref="DemoOptions.Replicas"/> through the gateway over a sharded HA fleet;
/// <see cref="DemoOptions.Autoscale"/> grows that fleet live and shows the reshard, the global ruler and HA alerting.
/// </summary>
public static class DemoStories
{
    /// <summary>Tells the story <paramref name="options"/> asks for on <paramref name="console"/>.</summary>
    /// <exception cref="DemoException">A step did not give what the story expects; the message says which.</exception>
    /// <exception cref="Servers.MissingBinaryException">Prometheus, promtool or moto_server is not installed.</exception>
    public static async Task RunAsync(DemoOptions options, DemoConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(console);
        if (options.Autoscale && options.Aws)
            throw new DemoException("the autoscaling story runs over Prometheus shards, not CloudWatch: leave out Aws or Autoscale");
        var root = options.Directory ?? Path.Combine(Path.GetTempPath(), "headroom-demo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            if (options.Autoscale)
                await AutoscaleStory.RunAsync(options, root, console, cancellationToken).ConfigureAwait(false);
            else if (options.Aws)
                await AwsStory.RunAsync(options, root, console, cancellationToken).ConfigureAwait(false);
            else if (options.Sharded)
                await ShardedStory.RunAsync(options, root, console, cancellationToken).ConfigureAwait(false);
            else
                await NodeStory.RunAsync(options, root, console, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (options.Directory is null)
                TryDelete(root);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
