using System.Globalization;
using Headroom.Gateway.Configuration;
using Headroom.PromQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Headroom.Gateway.Http;

/// <summary>Reads API parameters from the query string and, for POST, the form body, as Prometheus does.</summary>
internal sealed class RequestParameters
{
    /// <summary>Prometheus' cap on points per series in a range query.</summary>
    public const long MaxPointsPerSeries = 11_000;

    /// <summary>More <c>match[]</c> selectors than this in one request are refused.</summary>
    public const int MaxMatchers = 1_000;

    // Prometheus accepts times back to year 0 and up to 292 million years; nothing real is outside ±9999 years.
    private static readonly long s_minTime = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long s_maxTime = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly IQueryCollection _query;
    private readonly IFormCollection? _form;

    private RequestParameters(IQueryCollection query, IFormCollection? form)
    {
        _query = query;
        _form = form;
    }

    public static async Task<RequestParameters> ReadAsync(HttpRequest request)
    {
        IFormCollection? form = null;
        if (HttpMethods.IsPost(request.Method) && request.HasFormContentType)
        {
            try
            {
                form = await request.ReadFormAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                // ASP.NET's form reader refuses more than 1,024 values before MaxMatchers is reached: say what to do either way.
                throw new ApiError($"the form body cannot be read: {e.Message} Send a valid application/x-www-form-urlencoded body "
                    + $"with at most {MaxMatchers} match[] parameters (several selectors can be one, e.g. {{__name__=~\"a|b\"}}).");
            }
        }
        return new RequestParameters(request.Query, form);
    }

    public string? Get(string name)
    {
        if (_form is not null && _form.TryGetValue(name, out var posted) && posted.Count > 0)
        {
            return posted[0];
        }
        return _query.TryGetValue(name, out var value) && value.Count > 0 ? value[0] : null;
    }

    public IReadOnlyList<string> All(string name)
    {
        var values = new List<string>();
        if (_form is not null && _form.TryGetValue(name, out var posted))
        {
            values.AddRange(posted.OfType<string>());
        }
        if (_query.TryGetValue(name, out var value))
        {
            values.AddRange(value.OfType<string>());
        }
        return values;
    }

    public string Required(string name) =>
        Get(name) is { Length: > 0 } value ? value : throw new ApiError($"invalid parameter \"{name}\": missing; give {name}=…");

    /// <summary>A time: RFC 3339 or Unix seconds with a fraction. Returns milliseconds since the epoch.</summary>
    public long Time(string name, long fallback)
    {
        var text = Get(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            var ms = Math.Round(seconds * 1000);
            if (double.IsFinite(ms) && ms >= s_minTime && ms <= s_maxTime)
            {
                return (long)ms;
            }
            throw new ApiError($"invalid parameter \"{name}\": {text} is outside the years 1 to 9999");
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.ToUnixTimeMilliseconds();
        }
        throw new ApiError($"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid timestamp; give Unix seconds or RFC 3339");
    }

    /// <summary>A duration: seconds with a fraction, or a Prometheus duration such as <c>30s</c>.</summary>
    public TimeSpan? Duration(string name)
    {
        var text = Get(name);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
            {
                throw new ApiError($"invalid parameter \"{name}\": zero or negative or absurd durations are not accepted; give e.g. 15 or 15s");
            }
            return TimeSpan.FromSeconds(seconds);
        }
        if (Durations.TryParse(text, out var duration, out var error) && duration > TimeSpan.Zero)
        {
            return duration;
        }
        throw new ApiError($"invalid parameter \"{name}\": cannot parse \"{text}\" to a valid duration ({error ?? "zero"}); give e.g. 15 or 15s");
    }

    /// <summary>The <c>match[]</c> selectors, each parsed; at least one when <paramref name="required"/>.</summary>
    public IReadOnlyList<IReadOnlyList<LabelMatcher>> Matchers(bool required)
    {
        var texts = All("match[]");
        if (texts.Count == 0 && required)
        {
            throw new ApiError("no match[] parameter provided; give at least one series selector, e.g. match[]=up");
        }
        if (texts.Count > MaxMatchers)
        {
            throw new ApiError($"{texts.Count} match[] parameters; at most {MaxMatchers} are accepted in one request");
        }
        var result = new List<IReadOnlyList<LabelMatcher>>(texts.Count);
        foreach (var text in texts)
        {
            IReadOnlyList<LabelMatcher> matchers;
            try
            {
                matchers = SeriesSelector.Parse(text);
            }
            catch (ParseException e)
            {
                throw new ApiError($"invalid parameter \"match[]\": {e.Message}");
            }
            if (matchers.All(m => m.Matches("")))
            {
                throw new ApiError($"invalid parameter \"match[]\": {text}: match[] must contain at least one non-empty matcher");
            }
            result.Add(matchers);
        }
        return result;
    }

    /// <summary>The partial-response policy: the request's <c>partial_response</c> overrides the configuration's.</summary>
    public PartialResponse Partial(PartialResponse configured) => Get("partial_response") switch
    {
        null or "" => configured,
        "true" or "1" => PartialResponse.Warn,
        "false" or "0" => PartialResponse.Fail,
        var other => throw new ApiError($"invalid parameter \"partial_response\": '{other}'; give true or false"),
    };
}
