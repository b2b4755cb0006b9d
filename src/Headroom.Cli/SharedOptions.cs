using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Headroom.Fleet;
using Headroom.Prometheus.Client;
using Headroom.PromQL.Syntax;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Headroom.Cli;

/// <summary>Options several commands share, with their parsing and validation in one place.</summary>
internal static class SharedOptions
{
    public static Option<int> Hosts(int defaultValue) => new("--hosts")
    {
        Description = $"Number of simulated hosts (1 to {SimulatedFleet.MaxHosts})",
        DefaultValueFactory = _ => defaultValue,
        Validators = { Check<int>(v => v is < 1 or > SimulatedFleet.MaxHosts ? $"--hosts must be between 1 and {SimulatedFleet.MaxHosts}, got {v}" : null) },
    };

    public static Option<long> Seed() => new("--seed")
    {
        Description = "Seed of the fleet: the same seed gives the same hosts, profiles and values",
        DefaultValueFactory = _ => 1,
    };

    public static Option<double> Skew() => new("--skew")
    {
        Description = "Share of hosts (0 to 1) that run containers and expose 16 to 1024 more series each, for a fleet whose series per host are skewed (0: none)",
        DefaultValueFactory = _ => 0,
        Validators = { Check<double>(v => v is < 0 or > 1 || double.IsNaN(v) ? $"--skew must be between 0 and 1, got {v.ToString(CultureInfo.InvariantCulture)}" : null) },
    };

    /// <summary>
    /// The longest timeout or interval between runs a command accepts: 24d, under what <see cref="HttpClient.Timeout"/>
    /// (24.8 days) and <see cref="PeriodicTimer"/> (49.7 days) take; longer crashed after the command had started.
    /// </summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromDays(24);

    /// <summary>A duration option of at least <paramref name="minimum"/> and, when given, at most <paramref name="maximum"/>.</summary>
    public static Option<CliDuration> Duration(string name, string description, string defaultValue, TimeSpan minimum, TimeSpan? maximum = null) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => Durations.Parse(defaultValue),
        CustomParser = r => ParseDuration(r, name, minimum, maximum),
        HelpName = "duration",
    };

    /// <summary><c>--source-bearer-token-file</c> for the commands that read a source by URL alone (<c>query</c>, <c>ruler</c>).</summary>
    public static Option<string?> SourceBearerTokenFile() => new("--source-bearer-token-file")
    {
        Description = "File holding a bearer token for --source, e.g. one a gateway with tenancy maps to a tenant [env HEADROOM_SOURCE_BEARER_TOKEN]",
    };

    public static Option<IPEndPoint> Listen(string defaultValue) => new("--listen")
    {
        Description = "Address to listen on, host:port (loopback by default; port 0 picks a free port)",
        DefaultValueFactory = _ => IPEndPoint.Parse(defaultValue),
        CustomParser = ParseEndpoint,
        HelpName = "host:port",
    };

    /// <summary><c>--log-level</c>: the least severe log line written (to stderr).</summary>
    public static Option<string> LogLevel()
    {
        var option = new Option<string>("--log-level")
        {
            Description = "Least severe log line written to stderr: debug (one line per request), info, warn or error",
            DefaultValueFactory = _ => "info",
        };
        option.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        return option;
    }

    /// <summary><c>--log-format</c>: text for people, json (one object per line) for log pipelines.</summary>
    public static Option<string> LogFormat()
    {
        var option = new Option<string>("--log-format") { Description = "Log line format: text or json", DefaultValueFactory = _ => "text" };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    /// <summary>A logger factory writing every line to stderr in the chosen format, from the chosen level up.</summary>
    public static Microsoft.Extensions.Logging.ILoggerFactory CreateLogging(string level, string format) =>
        Microsoft.Extensions.Logging.LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(level switch
            {
                "debug" => Microsoft.Extensions.Logging.LogLevel.Debug,
                "warn" => Microsoft.Extensions.Logging.LogLevel.Warning,
                "error" => Microsoft.Extensions.Logging.LogLevel.Error,
                _ => Microsoft.Extensions.Logging.LogLevel.Information,
            });
            if (format == "json")
            {
                builder.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            else
            {
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                });
            }
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o =>
                o.LogToStandardErrorThreshold = Microsoft.Extensions.Logging.LogLevel.Trace);
        });

    /// <summary>
    /// <c>--cpu-tolerance</c> of <c>etl status</c> and the reports: how far (0..1 of CPU) a host's hourly CPU may differ between
    /// its node_exporter and CloudWatch views before the disagreement is a data-quality finding.
    /// </summary>
    public static Option<double> CpuTolerance() => new("--cpu-tolerance")
    {
        Description = "Hosts seen by node_exporter and by CloudWatch (matched by instance id) whose hourly CPU differs by more than this (0..1, e.g. 0.10 = 10 points) are a data-quality finding, both values shown",
        DefaultValueFactory = _ => Etl.SourceAgreement.DefaultTolerance,
        Validators = { Check<double>(t => t is < 0 or > 1 || double.IsNaN(t) ? $"--cpu-tolerance must be between 0 and 1 (a ratio of CPU, e.g. 0.10 for 10 points), got {t}" : null) },
    };

    public static Option<string> Format(params string[] formats)
    {
        var option = new Option<string>("--format")
        {
            Description = $"Output format: {string.Join(", ", formats)}",
            DefaultValueFactory = _ => formats[0],
        };
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    /// <summary>
    /// In a command validator, the value the user gave <paramref name="option"/>, or null when they left it out or it did
    /// not convert (that error is reported already). There an option left out has no value yet: <c>GetValue</c> gives 0,
    /// not its default (System.CommandLine 3.0.0).
    /// </summary>
    public static T? Given<T>(CommandResult command, Option<T> option) where T : struct
    {
        if (command.GetResult(option) is not { Implicit: false } given)
            return null;
        try
        {
            return given.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// A validator that reports <paramref name="problem"/>'s message, if any, for a value that parsed.
    /// Validators also run when the value did not convert; that error is already reported, so skip it.
    /// </summary>
    public static Action<OptionResult> Check<T>(Func<T, string?> problem) => result =>
    {
        T value;
        try
        {
            value = result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return;
        }
        if (problem(value) is { } message)
            result.AddError(message);
    };

    private static CliDuration ParseDuration(ArgumentResult result, string name, TimeSpan minimum, TimeSpan? maximum)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!Durations.TryParseSetting(text, out var duration, out var error))
        {
            result.AddError($"{name}: {error}");
            return default;
        }
        if (duration < minimum)
            result.AddError($"{name} must be at least {Durations.Format(minimum)}, got {text}");
        else if (duration > maximum)
            result.AddError($"{name} must be at most {Durations.Format(maximum.Value)}, got {text}");
        return duration;
    }

    private static IPEndPoint ParseEndpoint(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            result.AddError($"--listen: '{text}' is not host:port; use e.g. 127.0.0.1:9100 (port 0 to pick a free one)");
            return null!;
        }
        var host = text[..colon].Trim('[', ']');
        if (host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return new IPEndPoint(IPAddress.Loopback, port);
        if (!IPAddress.TryParse(host, out var address))
        {
            result.AddError($"--listen: '{host}' is not an IP address; use an address such as 127.0.0.1 or 0.0.0.0");
            return null!;
        }
        return new IPEndPoint(address, port);
    }
}

/// <summary>
/// A duration option's value: a <see cref="TimeSpan"/> that prints as it is written on the command line
/// (<c>15m</c>), so that help shows defaults the way users type them rather than as <c>00:15:00</c>.
/// </summary>
internal readonly record struct CliDuration(TimeSpan Value)
{
    public static implicit operator TimeSpan(CliDuration duration) => duration.Value;

    public static implicit operator CliDuration(TimeSpan value) => new(value);

    public override string ToString() => Durations.Format(Value);
}
