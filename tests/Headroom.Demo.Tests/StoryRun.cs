using Headroom.Insights;
using Headroom.Warehouse;

namespace Headroom.Demo.Tests;

/// <summary>A story told into strings, its directory kept for the checks and removed afterwards.</summary>
internal sealed class StoryRun : IDisposable
{
    private readonly DirectoryInfo _directory = System.IO.Directory.CreateTempSubdirectory("headroom-demo-test-");

    public string Directory => _directory.FullName;

    public string Output { get; private set; } = "";

    public string Database => "sqlite:" + Path.Combine(Directory, "headroom.db");

    public async Task TellAsync(DemoOptions options)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        try
        {
            await DemoStories.RunAsync(options with { Directory = Directory, Wait = false }, new DemoConsole(output, error));
        }
        finally
        {
            Output = output.ToString();
        }
    }

    /// <summary>The report <c>headroom report</c> would give over the warehouse the story loaded.</summary>
    public async Task<InsightsReport> ReportAsync(string profile)
    {
        await using var warehouse = await Warehouse.Warehouse.OpenAsync(Database);
        return await InsightsEngine.RunAsync(warehouse.Reports(), PriceCatalog.BuiltIn, new InsightsOptions { Profile = profile }, withDaily: false);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
