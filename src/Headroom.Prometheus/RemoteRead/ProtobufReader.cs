using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// A forward-only protobuf reader over a span. Google.Protobuf's <see cref="CodedInputStream"/> keeps its
/// length limits internal, so bounding a nested message there means copying it; a remote read answer holds
/// one nested message per sample (tens of millions for a day of 10,000 series), so this reader slices instead.
/// </summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly bool End => _position >= _buffer.Length;

    /// <summary>Reads the next field's tag; returns false at the end of the buffer.</summary>
    public bool TryReadTag(out int field, out WireFormat.WireType wireType)
    {
        if (End)
        {
            field = 0;
            wireType = default;
            return false;
        }
        var tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (WireFormat.WireType)(tag & 7);
        if (field == 0)
        {
            throw new InvalidDataException("protobuf field number 0 is invalid");
        }
        return true;
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _buffer.Length)
            {
                throw new InvalidDataException("protobuf varint runs past the end of the message");
            }
            var b = _buffer[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("protobuf varint is longer than 10 bytes");
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    public ulong ReadFixed64()
    {
        var bytes = Take(8);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    /// <summary>The bytes of a length-delimited field (a nested message, string or bytes).</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > int.MaxValue)
        {
            throw new InvalidDataException("protobuf length is negative or too large");
        }
        return Take((int)length);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadLengthDelimited());

    public void Skip(WireFormat.WireType wireType)
    {
        switch (wireType)
        {
            case WireFormat.WireType.Varint:
                ReadVarint();
                break;
            case WireFormat.WireType.Fixed64:
                Take(8);
                break;
            case WireFormat.WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireFormat.WireType.Fixed32:
                Take(4);
                break;
            default:
                throw new InvalidDataException($"protobuf wire type {(int)wireType} is not supported");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _buffer.Length - _position)
        {
            throw new InvalidDataException("protobuf field runs past the end of the message");
        }
        var slice = _buffer.Slice(_position, length);
        _position += length;
        return slice;
    }
}
