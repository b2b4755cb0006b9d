using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Headroom.Lake.Publishing;

/// <summary>
/// An order-independent checksum of a set of rows: the sum, modulo 2^128, of the first 128 bits of each row's
/// SHA-256. Two copies of the same rows read in any order (a warehouse's index order, a Parquet file's sort order)
/// give the same value, and one row changed, added or removed changes it. The row's canonical bytes are the caller's
/// choice; <see cref="AddRow"/> joins fields with a separator that no field contains.
/// </summary>
public sealed class ContentChecksum
{
    private UInt128 _sum;

    /// <summary>Rows added.</summary>
    public long Rows { get; private set; }

    /// <summary>Adds one row given as its canonical bytes.</summary>
    public void Add(ReadOnlySpan<byte> row)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(row, hash);
        _sum += BinaryPrimitives.ReadUInt128BigEndian(hash);
        Rows++;
    }

    /// <summary>Adds a row of fields; null fields, doubles (by their bits) and whole numbers each have one canonical text.</summary>
    public void AddRow(params ReadOnlySpan<object?> fields)
    {
        var text = new StringBuilder(128);
        foreach (var field in fields)
        {
            text.Append(field switch
            {
                null => "\u2400",
                double d => BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
                long l => l.ToString(CultureInfo.InvariantCulture),
                int i => i.ToString(CultureInfo.InvariantCulture),
                DateTimeOffset t => t.UtcTicks.ToString(CultureInfo.InvariantCulture),
                DateOnly d => d.DayNumber.ToString(CultureInfo.InvariantCulture),
                string s => s,
                var other => Convert.ToString(other, CultureInfo.InvariantCulture),
            }).Append('\u001f');
        }
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(text.ToString(), buffer);
            Add(buffer.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The checksum as text: <c>sha256-sum128:</c> and 32 hex digits.</summary>
    public override string ToString() => "sha256-sum128:" + _sum.ToString("x32", CultureInfo.InvariantCulture);
}
