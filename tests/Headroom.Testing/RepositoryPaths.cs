namespace Headroom.Testing;

/// <summary>Paths inside the repository, found from the test binaries' folder.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Headroom.slnx.</summary>
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Headroom.slnx")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no Headroom.slnx above {AppContext.BaseDirectory}");
    }
}
