using System.CommandLine;
using Headroom.Lake.Storage;

namespace Headroom.Cli.Commands;

/// <summary>The options that say where a lake is (<c>--lake DIR|s3://BUCKET/PREFIX</c>, the S3 endpoint and region) and the store they open.</summary>
internal sealed class LakeLocation(bool required, string description)
{
    public Option<string?> Lake { get; } = new("--lake") { Description = description, HelpName = "DIR|s3://BUCKET/PREFIX", Required = required };

    public Option<string?> EndpointUrl { get; } = new("--endpoint-url")
    {
        Description = "S3 endpoint of an S3-compatible store (MinIO, Ceph, moto) [env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL]; default AWS",
        HelpName = "URL",
    };

    public Option<string?> Region { get; } = new("--s3-region") { Description = "Signing region of the bucket [env AWS_REGION, AWS_DEFAULT_REGION] (default us-east-1)" };

    public Option<string> Addressing { get; } = CreateAddressing();

    public IEnumerable<Option> All => [Lake, EndpointUrl, Region, Addressing];

    public void AddTo(Command command)
    {
        foreach (var option in All)
            command.Options.Add(option);
    }

    /// <summary>
    /// Whether the command writes the lake, so a missing folder is created. A command that reads it refuses a missing
    /// folder: read as an empty lake, a mistyped path would answer "nothing exported" (and leave a folder behind).
    /// </summary>
    public bool Writes { get; init; }

    /// <summary>The store of <c>--lake</c>, or null when it was not given; a folder is created when missing if the command <see cref="Writes"/>.</summary>
    public IObjectStore? Open(ParseResult parse, HttpClient http)
    {
        if (parse.GetValue(Lake) is not { Length: > 0 } lake)
            return null;
        if (!lake.StartsWith("s3://", StringComparison.Ordinal))
        {
            if (lake.Contains("://", StringComparison.Ordinal))
                throw new CliException($"--lake '{lake}' is neither a folder nor s3://BUCKET/PREFIX", ExitCodes.Usage);
            if (!Writes && !Directory.Exists(lake))
                throw new CliException($"no lake at {Path.GetFullPath(lake)}: the folder does not exist; check --lake, or write one with 'headroom lake export --lake {lake}'");
            return new FolderObjectStore(lake);
        }
        (string Bucket, string Prefix) location;
        try
        {
            location = S3Options.ParseUrl(lake);
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        var endpoint = parse.GetValue(EndpointUrl) ?? Env("AWS_ENDPOINT_URL_S3") ?? Env("AWS_ENDPOINT_URL");
        Uri? endpointUri = null;
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out endpointUri) || endpointUri.Scheme is not ("http" or "https")))
            throw new CliException($"--endpoint-url '{endpoint}' is not an http(s) URL; use e.g. http://127.0.0.1:9000", ExitCodes.Usage);
        return new S3ObjectStore(http, new S3Options(location.Bucket, location.Prefix,
            parse.GetValue(Region) ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? "us-east-1", RulerCommand.AmbientCredentials("an s3:// lake"))
        {
            Endpoint = endpointUri,
            Addressing = parse.GetValue(Addressing) switch
            {
                "path" => S3AddressingStyle.Path,
                "virtual" => S3AddressingStyle.VirtualHosted,
                _ => S3AddressingStyle.Auto,
            },
        });
    }

    private static Option<string> CreateAddressing()
    {
        var option = new Option<string>("--s3-addressing")
        {
            Description = "Bucket in the path (path) or the host name (virtual); auto: path with an endpoint URL, virtual on AWS",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "path", "virtual");
        return option;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
