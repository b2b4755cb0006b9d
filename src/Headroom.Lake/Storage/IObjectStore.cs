namespace Headroom.Lake.Storage;

/// <summary>
/// A flat namespace of immutable objects under one root: a local folder or an S3 bucket and prefix. Keys are
/// relative, '/'-separated. Every put is atomic: a reader sees the old object or the whole new one, never a part.
/// </summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Where the store is, for messages (<c>/data/lake</c>, <c>s3://bucket/prefix</c>).</summary>
    string Location { get; }

    /// <summary>A new local file path to write an object into before <see cref="PutFileAsync"/> (on the store's own disk for a folder, so publishing is a rename).</summary>
    string NewStagingPath(string extension);

    /// <summary>Publishes the local file <paramref name="localPath"/> as <paramref name="key"/>, replacing any object there; the local file is consumed.</summary>
    Task PutFileAsync(string key, string localPath, CancellationToken cancellationToken = default);

    /// <summary>Publishes <paramref name="content"/> as <paramref name="key"/>, replacing any object there.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>The object's content, or null when there is none.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Copies the object to a local file.</summary>
    /// <exception cref="FileNotFoundException">There is no such object.</exception>
    Task DownloadAsync(string key, string localPath, CancellationToken cancellationToken = default);

    /// <summary>The object's size, or null when there is none.</summary>
    Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object; no error when there is none.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// A local path of the object for a reader that needs files (DuckDB): the file itself for a folder, a cached copy for
    /// S3, kept per <paramref name="version"/> (the content's checksum) so that a replaced object is fetched again.
    /// </summary>
    Task<string> LocalPathAsync(string key, string version, CancellationToken cancellationToken = default);
}

/// <summary>An object's key and size.</summary>
public sealed record StoredObject(string Key, long Size);

/// <summary>The store refused or failed an operation; the message names the store, the key and what to do.</summary>
public sealed class ObjectStoreException : Exception
{
    public ObjectStoreException() { }

    public ObjectStoreException(string message) : base(message) { }

    public ObjectStoreException(string message, Exception innerException) : base(message, innerException) { }
}
