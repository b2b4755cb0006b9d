namespace Headroom.PromQL.Storage;

/// <summary>
/// The float samples of one stored series in time order, in an array that grows by doubling. Unlike a
/// <see cref="List{T}"/> it can lend a slice of its array to a query without copying it.
/// </summary>
internal sealed class SampleBuffer
{
    private FloatPoint[] _points = new FloatPoint[4];

    public int Count { get; private set; }

    /// <summary>Adds a sample, or replaces the one at the same time; out-of-order samples are inserted in place.</summary>
    public void Add(long t, double value)
    {
        if (Count > 0 && _points[Count - 1].T >= t)
        {
            var index = FirstAtOrAfter(t);
            if (_points[index].T == t)
            {
                _points[index] = new FloatPoint(t, value);
                return;
            }
            Grow();
            Array.Copy(_points, index, _points, index + 1, Count - index);
            _points[index] = new FloatPoint(t, value);
            Count++;
            return;
        }
        Grow();
        _points[Count++] = new FloatPoint(t, value);
    }

    /// <summary>The samples in <c>[minT, maxT]</c>, found by binary search, as a slice of the buffer's own array.</summary>
    public ArraySegment<FloatPoint> Window(long minT, long maxT)
    {
        var lo = FirstAtOrAfter(minT);
        var hi = FirstAtOrAfter(maxT == long.MaxValue ? maxT : maxT + 1);
        return hi <= lo ? ArraySegment<FloatPoint>.Empty : new ArraySegment<FloatPoint>(_points, lo, hi - lo);
    }

    private void Grow()
    {
        if (Count == _points.Length)
        {
            Array.Resize(ref _points, _points.Length * 2);
        }
    }

    private int FirstAtOrAfter(long t)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_points[mid].T < t)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }
}
