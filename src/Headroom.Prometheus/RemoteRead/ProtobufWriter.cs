using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// A forward-only protobuf writer into a span sized beforehand with the <c>Size</c> helpers. The server-side encoders
/// write one message per sample (SAMPLES) or per chunk (streamed); measuring first and writing once avoids the nested
/// buffers and copies of <see cref="CodedOutputStream"/> with a message per level.
/// </summary>
internal ref struct ProtobufWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _position;

    public readonly int Position => _position;

    public void WriteTag(int field, WireFormat.WireType wireType) => WriteVarint((uint)(field << 3) | (uint)wireType);

    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[_position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        _buffer[_position++] = (byte)value;
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_buffer[_position..], BitConverter.DoubleToInt64Bits(value));
        _position += 8;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteVarint((ulong)bytes.Length);
        WriteRaw(bytes);
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    public void WriteString(string value)
    {
        WriteVarint((ulong)Encoding.UTF8.GetByteCount(value));
        _position += Encoding.UTF8.GetBytes(value, _buffer[_position..]);
    }

    /// <summary>Bytes of a varint.</summary>
    public static int VarintSize(ulong value) => value < 0x80 ? 1 : (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7;

    /// <summary>Bytes of a length-delimited field of <paramref name="length"/> bytes, tag (field below 16) included.</summary>
    public static int DelimitedSize(int length) => 1 + VarintSize((ulong)length) + length;

    /// <summary>Bytes of a string field, tag (field below 16) included.</summary>
    public static int StringSize(string value) => DelimitedSize(Encoding.UTF8.GetByteCount(value));

    /// <summary>Bytes of a <c>prometheus.Label</c> message's body.</summary>
    public static int LabelSize(PromQL.Label label) => StringSize(label.Name) + StringSize(label.Value);
}
