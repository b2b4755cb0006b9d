using System.Buffers.Binary;
using System.Numerics;
using Headroom.PromQL;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Prometheus' XOR chunk (Gorilla compression as its TSDB stores floats): a big-endian sample count in two bytes, then
/// a bit stream. The first sample is a zig-zag varint time and the raw 64 value bits; the second a varint time delta;
/// every later one a delta of deltas in 1, 16, 20, 24 or 68 bits. A value is stored as its XOR with the previous
/// value: one bit when equal, else the meaningful bits between leading and trailing zeros. Typical scraped data costs
/// 1–2 bytes per sample this way (Prometheus' storage documentation), against 18 bytes as a SAMPLES protobuf message.
/// </summary>
internal static class XorChunk
{
    /// <summary>Samples per chunk when encoding: Prometheus' head cuts chunks at 120 samples.</summary>
    public const int SamplesPerChunk = 120;

    /// <summary>The sample count in the chunk's header.</summary>
    /// <exception cref="InvalidDataException">The chunk is shorter than its header.</exception>
    public static int SampleCount(ReadOnlySpan<byte> chunk) => chunk.Length >= 2
        ? BinaryPrimitives.ReadUInt16BigEndian(chunk)
        : throw new InvalidDataException($"chunk of {chunk.Length} bytes has no sample count");

    /// <summary>
    /// Decodes the samples with <paramref name="minT"/> ≤ t ≤ <paramref name="maxT"/> into <paramref name="destination"/>,
    /// which must hold <see cref="SampleCount"/> points, and returns how many were written. Values keep their exact
    /// bits (NaN payloads and the staleness marker survive).
    /// </summary>
    /// <exception cref="InvalidDataException">The bit stream ends early or is inconsistent.</exception>
    public static int Decode(ReadOnlySpan<byte> chunk, long minT, long maxT, Span<FloatPoint> destination)
    {
        var total = SampleCount(chunk);
        if (destination.Length < total)
        {
            throw new ArgumentException($"destination holds {destination.Length} points, the chunk {total}", nameof(destination));
        }
        if (total == 0)
        {
            return 0;
        }
        var reader = new BitReader(chunk[2..]);
        var t = reader.ReadVarint();
        var bits = reader.ReadBits(64);
        var written = 0;
        if (t >= minT && t <= maxT)
        {
            destination[written++] = new FloatPoint(t, BitConverter.UInt64BitsToDouble(bits));
        }
        ulong delta = 0;
        int leading = 0, trailing = 0;
        for (var i = 1; i < total && t <= maxT; i++)
        {
            if (i == 1)
            {
                delta = reader.ReadUvarint();
            }
            else
            {
                // Widths 14, 17 and 20 bits hold two's complement deltas of deltas; 64 bits hold them raw.
                var dod = reader.ReadOnesPrefix() switch
                {
                    0 => 0L,
                    1 => SignExtend(reader.ReadBits(14), 14),
                    2 => SignExtend(reader.ReadBits(17), 17),
                    3 => SignExtend(reader.ReadBits(20), 20),
                    _ => (long)reader.ReadBits(64),
                };
                delta = (ulong)((long)delta + dod);
            }
            t += (long)delta;
            bits = ReadValue(ref reader, bits, ref leading, ref trailing);
            if (t >= minT && t <= maxT)
            {
                destination[written++] = new FloatPoint(t, BitConverter.UInt64BitsToDouble(bits));
            }
        }
        return written;
    }

    private static long SignExtend(ulong bits, int width)
    {
        // Prometheus' encoder takes deltas of deltas in [-(2^(w-1) - 1), 2^(w-1)], so 2^(w-1) itself stays positive.
        if (bits > 1UL << (width - 1))
        {
            bits -= 1UL << width;
        }
        return (long)bits;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong ReadValue(ref BitReader reader, ulong previous, ref int leading, ref int trailing)
    {
        if (!reader.ReadBit())
        {
            return previous;
        }
        if (reader.ReadBit())
        {
            leading = (int)reader.ReadBits(5);
            var significant = (int)reader.ReadBits(6);
            // 64 meaningful bits do not fit in 6; the encoder writes 0 for them (0 meaningful bits never occurs).
            trailing = 64 - leading - (significant == 0 ? 64 : significant);
            if (trailing < 0)
            {
                throw new InvalidDataException($"chunk value has {leading} leading zeros and {significant} meaningful bits");
            }
        }
        return previous ^ (reader.ReadBits(64 - leading - trailing) << trailing);
    }

    /// <summary>The most bytes <see cref="Encode"/> writes for <paramref name="count"/> samples (145 bits each at worst).</summary>
    public static int MaxEncodedLength(int count) => 2 + 20 + 20 + count * 19;

    /// <summary>Encodes up to 65,535 samples, ascending by time, as one chunk; returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<FloatPoint> points, Span<byte> destination)
    {
        if (points.Length > ushort.MaxValue)
        {
            throw new ArgumentException($"a chunk holds at most {ushort.MaxValue} samples, not {points.Length}", nameof(points));
        }
        var length = Math.Min(destination.Length, MaxEncodedLength(points.Length));
        destination[..length].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)points.Length);
        var writer = new BitWriter(destination[2..length]);
        long t = 0;
        ulong delta = 0, bits = 0;
        int leading = 0xFF, trailing = 0; // 0xFF: no leading/trailing window chosen yet
        for (var i = 0; i < points.Length; i++)
        {
            var point = points[i];
            var valueBits = BitConverter.DoubleToUInt64Bits(point.F);
            if (i == 0)
            {
                writer.WriteVarint(point.T);
                writer.WriteBits(valueBits, 64);
            }
            else
            {
                var newDelta = (ulong)(point.T - t);
                if (i == 1)
                {
                    writer.WriteUvarint(newDelta);
                }
                else
                {
                    WriteDeltaOfDelta(ref writer, (long)(newDelta - delta));
                }
                WriteValue(ref writer, valueBits ^ bits, ref leading, ref trailing);
                delta = newDelta;
            }
            t = point.T;
            bits = valueBits;
        }
        return 2 + writer.BytesWritten;
    }

    private static void WriteDeltaOfDelta(ref BitWriter writer, long dod)
    {
        if (dod == 0)
        {
            writer.WriteBit(false);
        }
        else if (Fits(dod, 14))
        {
            writer.WriteBits(0b10, 2);
            writer.WriteBits((ulong)dod, 14);
        }
        else if (Fits(dod, 17))
        {
            writer.WriteBits(0b110, 3);
            writer.WriteBits((ulong)dod, 17);
        }
        else if (Fits(dod, 20))
        {
            writer.WriteBits(0b1110, 4);
            writer.WriteBits((ulong)dod, 20);
        }
        else
        {
            writer.WriteBits(0b1111, 4);
            writer.WriteBits((ulong)dod, 64);
        }
    }

    private static bool Fits(long value, int width) => value >= -((1L << (width - 1)) - 1) && value <= 1L << (width - 1);

    private static void WriteValue(ref BitWriter writer, ulong xor, ref int leading, ref int trailing)
    {
        if (xor == 0)
        {
            writer.WriteBit(false);
            return;
        }
        writer.WriteBit(true);
        // Five bits hold at most 31 leading zeros; more are written as meaningful bits.
        var newLeading = Math.Min(BitOperations.LeadingZeroCount(xor), 31);
        var newTrailing = BitOperations.TrailingZeroCount(xor);
        if (leading != 0xFF && newLeading >= leading && newTrailing >= trailing)
        {
            writer.WriteBit(false);
            writer.WriteBits(xor >> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        var significant = 64 - leading - trailing;
        writer.WriteBit(true);
        writer.WriteBits((ulong)leading, 5);
        writer.WriteBits((ulong)significant & 0x3F, 6);
        writer.WriteBits(xor >> trailing, significant);
    }
}
