using System.Security.Cryptography;
using System.Text.Json;
using Headroom.Lake.Storage;
using Headroom.Warehouse;

namespace Headroom.Lake.Publishing;

/// <summary>A file written locally for a partition, before it is verified and published.</summary>
/// <param name="LocalPath">The staged file (from <see cref="IObjectStore.NewStagingPath"/>).</param>
/// <param name="Name">Its name inside the partition folder.</param>
/// <param name="Rows">Rows the writer put in it.</param>
public sealed record StagedFile(string LocalPath, string Name, long Rows);

/// <summary>
/// Publishes partitions of Parquet files into an object store: write (the caller stages files), verify (each file's
/// footer holds the rows the writer counted; size and SHA-256 are taken), publish (each file put atomically, then
/// its size checked in the store), and finally the manifest. A partition is replaced whole; a crash before the
/// manifest leaves the old manifest, which no longer matches, so the next run rewrites the partition. Knows nothing of
/// what the rows mean: utilization export and long-term metrics both publish through it.
/// </summary>
public sealed class PartitionPublisher(IObjectStore store, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _clock = timeProvider ?? TimeProvider.System;

    /// <summary>The store published into.</summary>
    public IObjectStore Store => store;

    /// <summary>The published manifest of <paramref name="partition"/>, or null when there is none (or it is unreadable: then the partition is rewritten).</summary>
    public async Task<PartitionManifest?> ReadManifestAsync(string partition, CancellationToken cancellationToken = default)
    {
        var bytes = await store.GetAsync(partition + "/" + PartitionManifest.FileName, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
            return null;
        try
        {
            return PartitionManifest.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every published manifest under <paramref name="prefix"/> (e.g. <c>table=hourly/</c>).</summary>
    public async IAsyncEnumerable<PartitionManifest> ListManifestsAsync(string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var o in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!o.Key.EndsWith("/" + PartitionManifest.FileName, StringComparison.Ordinal))
                continue;
            if (await ReadManifestAsync(o.Key[..^(PartitionManifest.FileName.Length + 1)], cancellationToken).ConfigureAwait(false) is { } manifest)
                yield return manifest;
        }
    }

    /// <summary>
    /// Whether <paramref name="manifest"/> is published whole: every file it names is in the store with its size. A
    /// partition whose manifest is current and whole needs no rewrite.
    /// </summary>
    public async Task<bool> IsWholeAsync(PartitionManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        foreach (var file in manifest.Files)
        {
            if (await store.SizeAsync(manifest.Partition + "/" + file.Name, cancellationToken).ConfigureAwait(false) != file.Bytes)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Verifies and publishes <paramref name="files"/> as the whole of <paramref name="partition"/>, then its manifest,
    /// then deletes the files of the partition no manifest names (an earlier version's, or a killed run's).
    /// </summary>
    /// <param name="countRows">Reads the rows a staged file holds from the file itself (its Parquet footer).</param>
    /// <exception cref="LakeVerificationException">A file holds another number of rows than the writer counted; nothing is published.</exception>
    public async Task<PartitionManifest> PublishAsync(string partition, IReadOnlyList<PartitionKey> keys, IReadOnlyList<StagedFile> files, string contentChecksum,
        Func<string, CancellationToken, Task<long>> countRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(countRows);
        var published = new List<PartitionFile>();
        foreach (var file in files)
        {
            var rows = await countRows(file.LocalPath, cancellationToken).ConfigureAwait(false);
            if (rows != file.Rows)
                throw new LakeVerificationException($"{partition}/{file.Name}: the written file holds {rows} rows, the writer counted {file.Rows}; nothing was published");
            var stream = File.OpenRead(file.LocalPath);
            string sha;
            long bytes;
            await using (stream.ConfigureAwait(false))
            {
                sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
                bytes = stream.Length;
            }
            published.Add(new PartitionFile(file.Name, rows, bytes, sha));
        }
        foreach (var (file, entry) in files.Zip(published))
        {
            var key = partition + "/" + entry.Name;
            await store.PutFileAsync(key, file.LocalPath, cancellationToken).ConfigureAwait(false);
            var size = await store.SizeAsync(key, cancellationToken).ConfigureAwait(false);
            if (size != entry.Bytes)
                throw new LakeVerificationException($"{store.Location}/{key}: the store holds {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"} bytes after the upload, {entry.Bytes} were sent; the manifest was not published");
        }
        await Failpoint.HitAsync(Failpoint.LakeFilesUploaded, cancellationToken).ConfigureAwait(false);
        var manifest = new PartitionManifest(partition, keys, published.Sum(f => f.Rows), contentChecksum, published, _clock.GetUtcNow());
        await store.PutAsync(manifest.Key, manifest.ToJson(), cancellationToken).ConfigureAwait(false);
        await Failpoint.HitAsync(Failpoint.LakeManifestPublished, cancellationToken).ConfigureAwait(false);
        var named = published.Select(f => partition + "/" + f.Name).Append(manifest.Key).ToHashSet(StringComparer.Ordinal);
        var stale = new List<string>();
        await foreach (var o in store.ListAsync(partition + "/", cancellationToken).ConfigureAwait(false))
        {
            if (!named.Contains(o.Key) && !o.Key[(partition.Length + 1)..].Contains('/', StringComparison.Ordinal))
                stale.Add(o.Key);
        }
        foreach (var key in stale)
            await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Deletes a partition: its manifest first (so readers stop using it), then its files.</summary>
    public async Task DeleteAsync(PartitionManifest manifest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        await store.DeleteAsync(manifest.Key, cancellationToken).ConfigureAwait(false);
        foreach (var file in manifest.Files)
            await store.DeleteAsync(manifest.Partition + "/" + file.Name, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A written file did not hold what its writer put in it, or the store did not keep what was sent.</summary>
public sealed class LakeVerificationException : Exception
{
    public LakeVerificationException() { }

    public LakeVerificationException(string message) : base(message) { }

    public LakeVerificationException(string message, Exception innerException) : base(message, innerException) { }
}
