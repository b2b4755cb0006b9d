using System.CommandLine;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Headroom.Cli.Configuration;
using Headroom.Prometheus.Aws;
using Headroom.Prometheus.Client;
using Headroom.Prometheus.RemoteRead;
using Headroom.Prometheus.RemoteWrite;
using Headroom.Ruler;
using Headroom.Ruler.Rules;

namespace Headroom.Cli.Commands;

/// <summary>
/// <c>headroom ruler</c>: evaluates Prometheus rule files with Headroom's engine over the gateway's global view, sends
/// the results by remote write and alerts to Alertmanagers.
/// </summary>
internal static class RulerCommand
{
    public static Command Create()
    {
        var rules = new Option<string[]>("--rules")
        {
            Description = "A Prometheus rule file (recording and alerting rules); repeat for more",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var source = new Option<string>("--source") { Description = "The gateway (or any server with remote read) to evaluate over, e.g. http://127.0.0.1:9095", Required = true };
        var bearerTokenFile = SharedOptions.SourceBearerTokenFile();
        var remoteWrite = new Option<string>("--remote-write")
        {
            Description = "Where results go by remote write, e.g. http://shard:9090/api/v1/write or an AMP workspace's .../api/v1/remote_write",
            Required = true,
        };
        var alertmanagers = new Option<string[]>("--alertmanager")
        {
            Description = "An Alertmanager's root URL, e.g. http://127.0.0.1:9093; repeat for each (every one gets every alert)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var listen = SharedOptions.Listen("127.0.0.1:9096");
        listen.Description = "Address for /metrics, /-/healthy and /-/ready, host:port (port 0 picks a free port)";
        var interval = SharedOptions.Duration("--evaluation-interval", "Interval of rule groups that set none", "1m", TimeSpan.FromSeconds(1));
        var resend = SharedOptions.Duration("--resend-delay", "How often a firing alert is sent again", "1m", TimeSpan.FromSeconds(1));
        var outage = SharedOptions.Duration("--for-outage-tolerance", "How old ALERTS_FOR_STATE may be for a restarted ruler to restore an alert's 'for' state", "1h", TimeSpan.FromSeconds(1));
        var grace = SharedOptions.Duration("--for-grace-period", "Least wait before a restored alert fires; shorter 'for' durations are not restored", "10m", TimeSpan.Zero);
        var lookback = SharedOptions.Duration("--lookback-delta", "How far back an instant selector looks for a sample", "5m", TimeSpan.FromMilliseconds(1));
        var timeout = SharedOptions.Duration("--query-timeout", "Longest time one rule's query may take", "2m", TimeSpan.FromSeconds(1));
        var externalLabels = new Option<string[]>("--external-label")
        {
            Description = "name=value added to every written series and alert that lacks it; repeat for more",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var externalUrl = new Option<string?>("--external-url") { Description = "URL alerts link back to (generatorURL, $externalURL); default: --source" };
        var capacity = new Option<int>("--remote-write-capacity")
        {
            Description = "Most samples waiting to be sent; more are dropped and counted in headroom_ruler_remote_write_dropped_samples_total{reason=\"queue_full\"}",
            DefaultValueFactory = _ => new RemoteWriteOptions().Capacity,
        };
        capacity.Validators.Add(SharedOptions.Check<int>(v => v < 1 ? "--remote-write-capacity must be at least 1" : null));
        var batch = new Option<int>("--remote-write-batch") { Description = "Most samples per remote write request", DefaultValueFactory = _ => new RemoteWriteOptions().MaxSamplesPerSend };
        batch.Validators.Add(SharedOptions.Check<int>(v => v < 1 ? "--remote-write-batch must be at least 1" : null));
        var deadline = SharedOptions.Duration("--remote-write-deadline", "Longest a sample waits for its batch to fill", "5s", TimeSpan.FromMilliseconds(10));
        var maxBackoff = SharedOptions.Duration("--remote-write-max-backoff", "Longest wait between two attempts of a failed request", "5s", TimeSpan.FromMilliseconds(10));
        var flush = SharedOptions.Duration("--flush-timeout", "How long stopping waits for unsent samples (the rest is dropped and counted)", "1m", TimeSpan.Zero);
        var sigV4Region = new Option<string?>("--sigv4-region")
        {
            Description = "Sign remote write with AWS SigV4 for Amazon Managed Prometheus in this region (credentials from the AWS default chain: environment, profile, instance role)",
        };
        var (logLevel, logFormat) = (SharedOptions.LogLevel(), SharedOptions.LogFormat());
        var command = new Command("ruler",
            "Evaluate Prometheus rule files (recording and alerting rules) on each group's interval with Headroom's PromQL engine over the gateway's " +
            "global view; send the results by remote write (batched, retried, optionally SigV4-signed) and alerts to every Alertmanager. " +
            "SIGHUP or POST /-/reload reads the rule files again (a file with problems is refused and the old rules run on).")
        {
            rules, source, bearerTokenFile, remoteWrite, alertmanagers, listen, interval, resend, outage, grace, lookback, timeout, externalLabels, externalUrl,
            capacity, batch, deadline, maxBackoff, flush, sigV4Region, logLevel, logFormat,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var sourceUrl = SourceConnection.ParseUrl(parse.GetValue(source)!);
            var options = new RulerOptions
            {
                RuleFiles = parse.GetValue(rules)!,
                Source = sourceUrl,
                RemoteWrite = Url(parse.GetValue(remoteWrite)!, "--remote-write", "http://127.0.0.1:9090/api/v1/write"),
                Alertmanagers = [.. (parse.GetValue(alertmanagers) ?? []).Select(a => Url(a, "--alertmanager", "http://127.0.0.1:9093"))],
                EvaluationInterval = parse.GetValue(interval),
                ResendDelay = parse.GetValue(resend),
                OutageTolerance = parse.GetValue(outage),
                ForGracePeriod = parse.GetValue(grace),
                LookbackDelta = parse.GetValue(lookback),
                QueryTimeout = parse.GetValue(timeout),
                ExternalLabels = ExternalLabels(parse.GetValue(externalLabels) ?? []),
                ExternalUrl = parse.GetValue(externalUrl) is { } url ? Url(url, "--external-url", "https://prometheus.example.com") : null,
                RemoteWriteQueue = new RemoteWriteOptions
                {
                    Capacity = parse.GetValue(capacity),
                    MaxSamplesPerSend = parse.GetValue(batch),
                    BatchSendDeadline = parse.GetValue(deadline),
                    MaxBackoff = parse.GetValue(maxBackoff),
                    MinBackoff = TimeSpan.FromMilliseconds(Math.Min(30, ((TimeSpan)parse.GetValue(maxBackoff)).TotalMilliseconds)),
                },
                FlushTimeout = parse.GetValue(flush),
                SigV4 = parse.GetValue(sigV4Region) is { } region ? new SigV4Settings(region, AmbientCredentials("--sigv4-region")) : null,
            };
            using var logging = SharedOptions.CreateLogging(parse.GetValue(logLevel)!, parse.GetValue(logFormat)!);
            // Credentials in the --source URL belong to the source alone: remote write and the Alertmanagers get a client without them.
            using var sourceHttp = SourceConnection.ForUrl(sourceUrl, parse.GetValue(bearerTokenFile), TimeSpan.FromSeconds(30)).CreateHttpClient();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            // Rules count a sample on a window's left edge as the source does (a gateway over Prometheus 2 shards does); a
            // source that is down at start is asked again at the next evaluations.
            var sourceApi = new PrometheusClient(sourceHttp, sourceUrl);
            options = options with { SourceLeftEdge = sourceApi.KnownLeftEdgeAsync };
            Headroom.Ruler.Ruler ruler;
            try
            {
                ruler = Headroom.Ruler.Ruler.Create(options, http, logging, source: new RemoteReadSource(new RemoteReadClient(sourceHttp, sourceUrl)));
            }
            catch (RuleLoadException e)
            {
                throw new CliException("the rule files have problems:\n" + e.Message, ExitCodes.Usage);
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message, ExitCodes.Usage);
            }
            await using (ruler)
            {
                RulerServer server;
                try
                {
                    server = await RulerServer.StartAsync(ruler, parse.GetValue(listen)!, cancellationToken);
                }
                catch (InvalidOperationException e)
                {
                    throw new CliException(e.Message);
                }
                await using (server)
                {
                    ruler.Start();
                    await output.WriteLineAsync(
                        $"ruler evaluating {ruler.GroupCount} groups ({ruler.RuleCount} rules) over {new SourceConnection(sourceUrl, null, null, null, null, false, TimeSpan.Zero).Display}; metrics at {server.BaseUri}metrics; Ctrl-C to stop");
                    try
                    {
                        await Task.Delay(Timeout.Infinite, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                    await ruler.StopAsync();
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Uri Url(string text, string flag, string example) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new CliException($"{flag} '{text}' is not an http(s) URL; use e.g. {example}", ExitCodes.Usage);

    private static Dictionary<string, string> ExternalLabels(string[] pairs)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? pair[..equals] : "";
            if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_') || equals == pair.Length - 1)
                throw new CliException($"--external-label '{pair}' is not name=value with a label name (letters, digits, _); use e.g. --external-label ruler=global", ExitCodes.Usage);
            if (!labels.TryAdd(name, pair[(equals + 1)..]))
                throw new CliException($"--external-label names '{name}' twice", ExitCodes.Usage);
        }
        return labels;
    }

    /// <summary>The AWS default credential chain, asked on every request so that rotated temporary credentials are used.</summary>
    /// <param name="neededBy">What needs them, for the error message (<c>--sigv4-region</c>, <c>an s3:// lake</c>).</param>
    internal static Func<AwsCredentials> AmbientCredentials(string neededBy)
    {
        AWSCredentials chain;
        try
        {
            chain = DefaultAWSCredentialsIdentityResolver.GetCredentials();
        }
        catch (AmazonClientException e)
        {
            throw new CliException($"{neededBy} needs AWS credentials and none were found ({e.Message}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance role");
        }
        return () =>
        {
            var current = chain.GetCredentials();
            return new AwsCredentials(current.AccessKey, current.SecretKey, current.UseToken ? current.Token : null);
        };
    }
}
