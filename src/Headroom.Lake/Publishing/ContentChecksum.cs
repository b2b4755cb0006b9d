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
/// choice; <see cref="AddRow"/> and <see cref="BeginRow"/> write the same canonical text: each field's text followed
/// by U+001F, a separator no field contains.
/// </summary>
public sealed class ContentChecksum
{
    private const byte Separator = 0x1f;

    // "\u2400" (SYMBOL FOR NULL) in UTF-8: the text of a null field.
    private static readonly byte[] s_null = Encoding.UTF8.GetBytes("\u2400");

    private UInt128 _sum;
    private byte[] _row = new byte[256];
    private int _length;

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

    /// <summary>
    /// Starts a row written field by field with <see cref="RowWriter"/>'s typed methods, and added by its
    /// <see cref="RowWriter.End"/>: the same canonical text as <see cref="AddRow"/> of the same values, formatted
    /// straight into a reused buffer instead of through boxes and a string (the export checksums every row it
    /// writes, so this is on its hot path).
    /// </summary>
    public RowWriter BeginRow()
    {
        _length = 0;
        return new RowWriter(this);
    }

    /// <summary>The checksum as text: <c>sha256-sum128:</c> and 32 hex digits.</summary>
    public override string ToString() => "sha256-sum128:" + _sum.ToString("x32", CultureInfo.InvariantCulture);

    private Span<byte> Reserve(int bytes)
    {
        if (_length + bytes > _row.Length)
            Array.Resize(ref _row, Math.Max(_row.Length * 2, _length + bytes));
        return _row.AsSpan(_length);
    }

    private void Commit(int written)
    {
        _length += written;
        Reserve(1)[0] = Separator;
        _length++;
    }

    /// <summary>One row of a <see cref="ContentChecksum"/>, written field by field in canonical text.</summary>
    public readonly struct RowWriter
    {
        private readonly ContentChecksum _owner;

        internal RowWriter(ContentChecksum owner) => _owner = owner;

        /// <summary>A text field, or null.</summary>
        public RowWriter Text(string? value)
        {
            if (value is null)
            {
                s_null.CopyTo(_owner.Reserve(s_null.Length));
                _owner.Commit(s_null.Length);
                return this;
            }
            var written = Encoding.UTF8.GetBytes(value, _owner.Reserve(Encoding.UTF8.GetMaxByteCount(value.Length)));
            _owner.Commit(written);
            return this;
        }

        /// <summary>A whole number.</summary>
        public RowWriter Number(long value)
        {
            value.TryFormat(_owner.Reserve(20), out var written, default, CultureInfo.InvariantCulture);
            _owner.Commit(written);
            return this;
        }

        /// <summary>A double, by its bits (16 hex digits), or null.</summary>
        public RowWriter Number(double? value)
        {
            if (value is not { } d)
                return Text(null);
            BitConverter.DoubleToInt64Bits(d).TryFormat(_owner.Reserve(16), out var written, "x16", CultureInfo.InvariantCulture);
            _owner.Commit(written);
            return this;
        }

        /// <summary>An instant, by its UTC ticks.</summary>
        public RowWriter Time(DateTimeOffset value) => Number(value.UtcTicks);

        /// <summary>A day, by its day number.</summary>
        public RowWriter Day(DateOnly value) => Number(value.DayNumber);

        /// <summary>Adds the row to the checksum.</summary>
        public void End() => _owner.Add(_owner._row.AsSpan(0, _owner._length));
    }
}
