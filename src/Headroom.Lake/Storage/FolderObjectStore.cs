using System.Runtime.CompilerServices;

namespace Headroom.Lake.Storage;

/// <summary>
/// Objects as files under a folder. A put writes into <c>_staging/</c> on the same file system and renames, which is
/// atomic on POSIX; a reader never sees a half-written file. Staged files left by a killed writer are not objects
/// (<see cref="ListAsync"/> skips <c>_staging/</c>) and are swept by <see cref="SweepStaging"/>.
/// </summary>
public sealed class FolderObjectStore : IObjectStore
{
    /// <summary>The folder of files being written; Hive, Athena and DuckDB skip names starting with '_'.</summary>
    public const string StagingFolder = "_staging";

    private readonly string _root;

    /// <summary>A store rooted at <paramref name="root"/>, created when missing.</summary>
    public FolderObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(_root, StagingFolder));
    }

    public string Location => _root;

    public string NewStagingPath(string extension) => Path.Combine(_root, StagingFolder, Guid.NewGuid().ToString("N") + extension);

    public Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        var target = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!Path.GetFullPath(localPath).StartsWith(Path.Combine(_root, StagingFolder), StringComparison.Ordinal))
        {
            var staged = NewStagingPath(Path.GetExtension(localPath));
            File.Copy(localPath, staged);
            File.Delete(localPath);
            localPath = staged;
        }
        Flush(localPath);
        File.Move(localPath, target, overwrite: true);
        return Task.CompletedTask;
    }

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        var staged = NewStagingPath(".tmp");
        await File.WriteAllBytesAsync(staged, content.ToArray(), cancellationToken).ConfigureAwait(false);
        await PutFileAsync(key, staged, cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        return File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
    }

    public Task DownloadAsync(string key, string localPath, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (!File.Exists(path))
            throw new FileNotFoundException($"no object {key} in {_root}", path);
        File.Copy(path, localPath, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? info.Length : (long?)null);
    }

    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        var objects = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Select(f => (Key: Path.GetRelativePath(_root, f).Replace('\\', '/'), File: f))
            .Where(o => !o.Key.StartsWith(StagingFolder + "/", StringComparison.Ordinal) && o.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key, StringComparer.Ordinal);
        foreach (var o in objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new StoredObject(o.Key, new FileInfo(o.File).Length);
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public Task<string> LocalPathAsync(string key, string version, CancellationToken cancellationToken = default) => Task.FromResult(PathOf(key));

    /// <summary>Deletes staged files a killed writer left (there is one writer per lake at a time).</summary>
    public int SweepStaging()
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(_root, StagingFolder)))
        {
            File.Delete(file);
            count++;
        }
        return count;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"'{key}' is not an object key (relative, '/'-separated, no empty, '.' or '..' segment)", nameof(key));
        return Path.Combine(_root, key);
    }

    private static void Flush(string path)
    {
        // The rename publishes the file; its bytes must reach the disk first, or a power cut could publish a hole.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        stream.Flush(flushToDisk: true);
    }
}
