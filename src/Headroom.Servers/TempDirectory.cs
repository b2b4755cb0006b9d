namespace Headroom.Servers;

/// <summary>A directory under <c>Path.GetTempPath()/headroom-*</c> that is deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create(string purpose)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"headroom-{purpose}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        var directory = new TempDirectory(path);
        ProcessRegistry.Register(directory);
        return directory;
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        ProcessRegistry.Unregister(this);
        for (var attempt = 0; attempt < 3 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // A child may still be writing its last file; try again shortly.
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
