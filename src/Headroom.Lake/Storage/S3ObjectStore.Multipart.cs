using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace Headroom.Lake.Storage;

/// <summary>Multipart upload: create, upload each part, complete; abort on any failure so no parts are left billed.</summary>
public sealed partial class S3ObjectStore
{
    private async Task PutMultipartAsync(string key, string localPath, long length, CancellationToken cancellationToken)
    {
        string uploadId;
        using (var created = await SendAsync(HttpMethod.Post, key, "uploads", ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false))
        {
            await EnsureAsync(created, "CreateMultipartUpload", key, cancellationToken).ConfigureAwait(false);
            var xml = XDocument.Parse(await created.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Root!;
            uploadId = xml.Element(xml.Name.Namespace + "UploadId")!.Value;
        }
        var query = "uploadId=" + Uri.EscapeDataString(uploadId);
        try
        {
            var etags = new List<string>();
            var buffer = new byte[_options.PartSize];
            var stream = File.OpenRead(localPath);
            await using (stream.ConfigureAwait(false))
            {
                // Bounded by the file: S3 allows 10,000 parts, so 8 MiB parts cover 80 GB.
                for (var part = 1; stream.Position < length; part++)
                {
                    if (part > 10_000)
                        throw new ObjectStoreException($"{localPath} needs more than 10,000 parts of {_options.PartSize} bytes; raise the part size");
                    var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    using var uploaded = await SendAsync(HttpMethod.Put, key, $"partNumber={part}&{query}", buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    await EnsureAsync(uploaded, $"UploadPart {part}", key, cancellationToken).ConfigureAwait(false);
                    var etag = uploaded.Headers.ETag?.Tag ?? throw new ObjectStoreException($"UploadPart {part} of {key} returned no ETag");
                    if (!string.Equals(etag.Trim('"'), Md5Hex(buffer.AsSpan(0, read)), StringComparison.OrdinalIgnoreCase))
                        throw new ObjectStoreException($"UploadPart {part} of {key}: the store's ETag {etag} is not the MD5 of the bytes sent; the part was corrupted on the way");
                    etags.Add(etag);
                }
            }
            var complete = new StringBuilder("<CompleteMultipartUpload>");
            for (var i = 0; i < etags.Count; i++)
                complete.Append(CultureInfo.InvariantCulture, $"<Part><PartNumber>{i + 1}</PartNumber><ETag>{etags[i]}</ETag></Part>");
            complete.Append("</CompleteMultipartUpload>");
            using var completed = await SendAsync(HttpMethod.Post, key, query, Encoding.UTF8.GetBytes(complete.ToString()), cancellationToken).ConfigureAwait(false);
            await EnsureAsync(completed, "CompleteMultipartUpload", key, cancellationToken).ConfigureAwait(false);
            // S3 can answer 200 with an error document in the body when completion fails late.
            var body = await completed.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (body.Contains("<Error>", StringComparison.Ordinal))
                throw new ObjectStoreException($"CompleteMultipartUpload of {key} failed: {body}");
        }
        catch
        {
            using var aborted = await SendAsync(HttpMethod.Delete, key, query, null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }
}
