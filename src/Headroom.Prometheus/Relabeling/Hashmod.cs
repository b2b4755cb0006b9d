using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Headroom.Prometheus.Relabeling;

/// <summary>
/// Prometheus' <c>hashmod</c> relabel action: the MD5 of the source labels' values joined with <c>;</c>, its last
/// 8 bytes read as a big-endian unsigned integer, modulo the modulus. Splitting history with it puts a series in the
/// shard whose <c>hashmod</c> relabeling would keep a target with the same label values.
/// </summary>
public static class Hashmod
{
    /// <summary>The separator Prometheus puts between source label values by default.</summary>
    public const string Separator = ";";

    /// <summary>
    /// The shard (0 to <paramref name="modulus"/> − 1) of <paramref name="labelValues"/>, the values of the source
    /// labels in order; a missing label counts as the empty string, as in Prometheus.
    /// </summary>
    public static int Of(IEnumerable<string> labelValues, int modulus) => Of(string.Join(Separator, labelValues), modulus);

    /// <summary>The shard (0 to <paramref name="modulus"/> − 1) of <paramref name="joinedValues"/>, values already joined with <c>;</c>.</summary>
    public static int Of(string joinedValues, int modulus)
    {
        ArgumentNullException.ThrowIfNull(joinedValues);
        ArgumentOutOfRangeException.ThrowIfLessThan(modulus, 1);
        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
#pragma warning disable CA5351 // Not for security: MD5 is what Prometheus' hashmod uses, and the split must agree with it.
        MD5.HashData(Encoding.UTF8.GetBytes(joinedValues), hash);
#pragma warning restore CA5351
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash[8..]) % (ulong)modulus);
    }
}
