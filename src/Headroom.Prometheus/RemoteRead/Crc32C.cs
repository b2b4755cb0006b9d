using System.Buffers.Binary;
using System.Numerics;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// CRC-32C (Castagnoli polynomial), the checksum of every frame of a streamed remote read response.
/// System.IO.Hashing's <c>Crc32</c> uses the IEEE polynomial and would reject every frame; the BCL's
/// <see cref="BitOperations.Crc32C(uint, ulong)"/> is the Castagnoli update step, backed by the SSE4.2/ARMv8
/// instruction where the CPU has it and by a lookup table otherwise, so no package is needed.
/// </summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>: initial value and final XOR are all ones, as in Go's hash/crc32.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        // Eight bytes per step: the instruction takes about as long for a ulong as for a byte.
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }
        return ~crc;
    }
}
