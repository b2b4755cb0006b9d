using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Reads the bit stream of a Prometheus chunk, most significant bit first. Bits are loaded eight bytes at a time into a
/// left-aligned word: a sample of a regular series takes 2–20 bits, so one load serves several samples, where a
/// bit-at-a-time reader spent most of the XOR decoder's time on bounds checks.
/// </summary>
internal ref struct BitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _next;    // the first byte not yet loaded into _word
    private ulong _word;  // _count valid bits at the top; the bits below may already hold the leading bits of _data[_next]
    private int _count;

    /// <summary>Reads <paramref name="n"/> bits (1 to 64) as an unsigned number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadBits(int n)
    {
        if (n > 56)
        {
            return ReadWide(n);
        }
        if (_count < n)
        {
            RefillFor(n);
        }
        var value = _word >> (64 - n);
        _word <<= n;
        _count -= n;
        return value;
    }

    /// <summary>A refill guarantees 57 bits at most; wider fields (a raw value, a 64-bit delta of delta) come in two parts.</summary>
    private ulong ReadWide(int n)
    {
        var high = ReadBits(n - 32);
        return (high << 32) | ReadBits(32);
    }

    private void RefillFor(int n)
    {
        Refill();
        if (_count < n)
        {
            ThrowTruncated();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBit()
    {
        if (_count == 0)
        {
            RefillFor(1);
        }
        var bit = (long)_word < 0;
        _word <<= 1;
        _count--;
        return bit;
    }

    /// <summary>
    /// Reads a prefix of up to four one bits ended by a zero (the delta-of-delta width code of an XOR chunk) and returns
    /// the number of ones: 0 for "0", 1 for "10", 2 for "110", 3 for "1110", 4 for "1111".
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ReadOnesPrefix()
    {
        if (_count < 4)
        {
            Refill();
        }
        var ones = Math.Min(BitOperations.LeadingZeroCount(~_word), 4);
        var used = ones == 4 ? 4 : ones + 1;
        if (used > _count)
        {
            ThrowTruncated();
        }
        _word <<= used;
        _count -= used;
        return ones;
    }

    /// <summary>A Go <c>binary.Uvarint</c> written byte by byte into the stream (not byte-aligned).</summary>
    public ulong ReadUvarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadBits(8);
            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("varint in chunk is longer than 10 bytes");
    }

    /// <summary>A Go <c>binary.Varint</c> (zig-zag) written byte by byte into the stream.</summary>
    public long ReadVarint()
    {
        var u = ReadUvarint();
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    private void Refill()
    {
        if (_next + 8 <= _data.Length)
        {
            // Whole bytes that fit below the valid bits; the partial byte's bits land where its next load puts them again.
            _word |= BinaryPrimitives.ReadUInt64BigEndian(_data[_next..]) >> _count;
            var bytes = (64 - _count) >> 3;
            _next += bytes;
            _count += bytes << 3;
            return;
        }
        while (_count <= 56 && _next < _data.Length)
        {
            _word |= (ulong)_data[_next++] << (56 - _count);
            _count += 8;
        }
    }

    [DoesNotReturn]
    private static void ThrowTruncated() => throw new InvalidDataException("chunk data ends in the middle of a sample");
}

/// <summary>Writes a bit stream most significant bit first into a zeroed buffer, as Prometheus' <c>bstream</c> does.</summary>
internal ref struct BitWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _bits;

    /// <summary>Bytes touched so far, the last one zero-padded.</summary>
    public readonly int BytesWritten => (_bits + 7) >> 3;

    /// <summary>Writes the low <paramref name="n"/> bits (0 to 64) of <paramref name="value"/>.</summary>
    public void WriteBits(ulong value, int n)
    {
        while (n > 0)
        {
            var free = 8 - (_bits & 7);
            var take = Math.Min(n, free);
            var part = (uint)(value >> (n - take)) & ((1u << take) - 1);
            _buffer[_bits >> 3] |= (byte)(part << (free - take));
            _bits += take;
            n -= take;
        }
    }

    public void WriteBit(bool bit) => WriteBits(bit ? 1UL : 0UL, 1);

    public void WriteUvarint(ulong value)
    {
        while (value >= 0x80)
        {
            WriteBits((value & 0x7F) | 0x80, 8);
            value >>= 7;
        }
        WriteBits(value, 8);
    }

    public void WriteVarint(long value) => WriteUvarint((ulong)((value << 1) ^ (value >> 63)));
}
