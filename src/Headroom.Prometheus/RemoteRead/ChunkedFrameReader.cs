using System.Buffers;
using System.Buffers.Binary;

namespace Headroom.Prometheus.RemoteRead;

/// <summary>
/// Reads the frames of a streamed remote read response as they arrive: each is a uvarint length, the big-endian
/// CRC-32C of the data, then the data (one <c>ChunkedReadResponse</c> message). One pooled buffer holds the current
/// frame and whatever of the next has arrived; it grows only for a frame larger than itself, so memory stays at
/// about one frame (Prometheus sends at most about 1 MiB each) however long the answer is.
/// </summary>
internal sealed class ChunkedFrameReader(Stream stream, long maxFrameBytes = ChunkedFrameReader.DefaultMaxFrameBytes) : IDisposable
{
    /// <summary>The largest frame accepted: Prometheus' own client refuses frames over 50 MB (its chunked read limit).</summary>
    public const long DefaultMaxFrameBytes = 50_000_000;

    private readonly Stream _stream = stream ?? throw new ArgumentNullException(nameof(stream));
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start;
    private int _end;
    private int _consumed;
    private Memory<byte> _current;

    /// <summary>Frames read so far.</summary>
    public long Frames { get; private set; }

    /// <summary>The data of the frame last read; valid until the next <see cref="MoveNextAsync"/>.</summary>
    public ReadOnlyMemory<byte> Current => _current;

    /// <summary>Reads the next frame; false at a clean end of the stream (between frames).</summary>
    /// <exception cref="InvalidDataException">The stream ends inside a frame, a frame is too large, or its checksum is wrong.</exception>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        _start += _consumed;
        _consumed = 0;
        _current = default;
        if (!await EnsureAsync(1, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }
        var number = Frames + 1;
        ulong size;
        int header;
        while (!TryReadUvarint(_buffer.AsSpan(_start, _end - _start), out size, out header))
        {
            if (_end - _start >= 10)
            {
                throw new InvalidDataException($"frame {number} starts with a length longer than 10 bytes; the stream is not a chunked read response");
            }
            if (!await EnsureAsync(_end - _start + 1, cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidDataException($"the stream ended inside the length of frame {number}; the server stopped mid-answer");
            }
        }
        if (size > (ulong)maxFrameBytes)
        {
            throw new InvalidDataException($"frame {number} says it holds {size:N0} bytes, over the limit of {maxFrameBytes:N0}; the stream is corrupted or not a chunked read response");
        }
        var total = header + 4 + (int)size;
        if (!await EnsureAsync(total, cancellationToken).ConfigureAwait(false))
        {
            var got = Math.Max(0, _end - _start - header - 4);
            throw new InvalidDataException($"the stream ended inside frame {number}: {got:N0} of {size:N0} bytes arrived; the server stopped mid-answer");
        }
        var expected = BinaryPrimitives.ReadUInt32BigEndian(_buffer.AsSpan(_start + header, 4));
        var data = _buffer.AsMemory(_start + header + 4, (int)size);
        var actual = Crc32C.Compute(data.Span);
        if (actual != expected)
        {
            throw new InvalidDataException($"frame {number} ({size:N0} bytes) fails its CRC-32C check (computed {actual:x8}, frame says {expected:x8}); the answer was corrupted in transit");
        }
        _current = data;
        _consumed = total;
        Frames = number;
        return true;
    }

    private static bool TryReadUvarint(ReadOnlySpan<byte> span, out ulong value, out int length)
    {
        value = 0;
        for (var i = 0; i < span.Length && i < 10; i++)
        {
            value |= (ulong)(span[i] & 0x7F) << (7 * i);
            if (span[i] < 0x80)
            {
                length = i + 1;
                return true;
            }
        }
        length = 0;
        return false;
    }

    /// <summary>Makes <paramref name="count"/> bytes from <c>_start</c> available; false when the stream ends first.</summary>
    private async ValueTask<bool> EnsureAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return true;
        }
        if (_buffer.Length - _start < count)
        {
            var target = _buffer;
            if (count > _buffer.Length)
            {
                target = ArrayPool<byte>.Shared.Rent(Math.Max(count, _buffer.Length * 2));
            }
            _buffer.AsSpan(_start, _end - _start).CopyTo(target);
            if (!ReferenceEquals(target, _buffer))
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < count)
        {
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }
            _end += read;
        }
        return true;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
