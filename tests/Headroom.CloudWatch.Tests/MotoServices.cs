using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// Creates tagged resources of many services in moto_server for discovery tests. Services without an AWS SDK package in
/// this project's registry (RDS, ELB, ElastiCache, Lambda, IAM) are called as plain HTTP requests signed with Headroom's
/// SigV4 signer: the Query protocol (form POST, XML answer), JSON 1.0 for DynamoDB and SQS, REST for Lambda.
/// </summary>
internal sealed class MotoServices(MotoAws moto)
{
    private const string Region = MotoAws.Region;

    /// <summary>A Query-protocol call (RDS, ELB, ElastiCache, IAM); returns the XML answer, throws with moto's message on failure.</summary>
    public async Task<XDocument> QueryAsync(string service, string version, string action, params (string Key, string Value)[] parameters)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", version) };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
        var body = await new FormUrlEncodedContent(form).ReadAsByteArrayAsync();
        var text = await SendAsync(service, HttpMethod.Post, "/", body, "application/x-www-form-urlencoded; charset=utf-8", null);
        return XDocument.Parse(text);
    }

    /// <summary>A JSON 1.0 call (DynamoDB, SQS).</summary>
    public async Task<JsonNode?> JsonAsync(string service, string target, JsonObject body)
    {
        var text = await SendAsync(service, HttpMethod.Post, "/", Encoding.UTF8.GetBytes(body.ToJsonString()), "application/x-amz-json-1.0", target);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>A REST call with a JSON body (Lambda).</summary>
    public async Task<JsonNode?> RestAsync(string service, HttpMethod method, string path, JsonObject body)
    {
        var text = await SendAsync(service, method, path, Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", null);
        return JsonNode.Parse(text);
    }

    private async Task<string> SendAsync(string service, HttpMethod method, string path, byte[] body, string contentType, string? target)
    {
        using var request = new HttpRequestMessage(method, new Uri(moto.Endpoint, path)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (target is not null)
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        SigV4Signer.Sign(request, body, MotoAws.Ambient, Region, service, DateTimeOffset.UtcNow);
        using var response = await moto.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{service} {target ?? path}: HTTP {(int)response.StatusCode}: {text}");
        return text;
    }

    private static (string, string)[] Tags(string prefix, (string Key, string Value)[] tags) =>
        [.. tags.SelectMany((t, i) => new[] { ($"{prefix}.{i + 1}.Key", t.Key), ($"{prefix}.{i + 1}.Value", t.Value) })];

    public Task CreateDbInstanceAsync(string id, params (string Key, string Value)[] tags) => CreateDbInstanceAsync(id, "db.t3.micro", "postgres", false, tags);

    /// <summary>A DB instance of a class and engine, Multi-AZ or not.</summary>
    public Task CreateDbInstanceAsync(string id, string instanceClass, string engine, bool multiAz, params (string Key, string Value)[] tags) =>
        QueryAsync("rds", "2014-10-31", "CreateDBInstance",
            [("DBInstanceIdentifier", id), ("DBInstanceClass", instanceClass), ("Engine", engine), ("AllocatedStorage", "20"), ("MultiAZ", multiAz ? "true" : "false"),
             ("MasterUsername", "admin"), ("MasterUserPassword", "password123"), .. Tags("Tags.Tag", tags)]);

    public Task CreateCacheClusterAsync(string id, params (string Key, string Value)[] tags) => CreateCacheClusterAsync(id, "redis", "cache.t3.micro", 1, tags);

    /// <summary>A cluster of an engine (a Redis cluster without cluster mode has one node; memcached up to 40), node type and count.</summary>
    public Task CreateCacheClusterAsync(string id, string engine, string nodeType, int nodes, params (string Key, string Value)[] tags) =>
        QueryAsync("elasticache", "2015-02-02", "CreateCacheCluster",
            [("CacheClusterId", id), ("CacheNodeType", nodeType), ("Engine", engine), ("NumCacheNodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. Tags("Tags.Tag", tags)]);

    /// <summary>A Redshift cluster of a node type and count (multi-node when more than one); returns its ARN.</summary>
    public async Task<string> CreateRedshiftClusterAsync(string id, string nodeType, int nodes, params (string Key, string Value)[] tags)
    {
        await QueryAsync("redshift", "2012-12-01", "CreateCluster",
            [("ClusterIdentifier", id), ("NodeType", nodeType), ("ClusterType", nodes > 1 ? "multi-node" : "single-node"),
             ("NumberOfNodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("MasterUsername", "admin"), ("MasterUserPassword", "Password123"),
             .. Tags("Tags.Tag", tags)]);
        return $"arn:aws:redshift:{Region}:{MotoAws.DefaultAccount}:cluster:{id}";
    }

    public Task CreateClassicLoadBalancerAsync(string name, params (string Key, string Value)[] tags) =>
        QueryAsync("elasticloadbalancing", "2012-06-01", "CreateLoadBalancer",
            [("LoadBalancerName", name), ("AvailabilityZones.member.1", "us-east-1a"),
             ("Listeners.member.1.Protocol", "HTTP"), ("Listeners.member.1.LoadBalancerPort", "80"), ("Listeners.member.1.InstancePort", "8080"),
             .. Tags("Tags.member", tags)]);

    /// <summary>An ALB or NLB (type application or network) in two fresh subnets; returns its ARN.</summary>
    public async Task<string> CreateLoadBalancerV2Async(string name, string type, params (string Key, string Value)[] tags)
    {
        var subnets = await SubnetsAsync(2);
        var answer = await QueryAsync("elasticloadbalancing", "2015-12-01", "CreateLoadBalancer",
            [("Name", name), ("Type", type), ("Subnets.member.1", subnets[0]), ("Subnets.member.2", subnets[1]), .. Tags("Tags.member", tags)]);
        return answer.Descendants().First(e => e.Name.LocalName == "LoadBalancerArn").Value;
    }

    /// <summary>A target group; returns its ARN.</summary>
    public async Task<string> CreateTargetGroupAsync(string name, string protocol, params (string Key, string Value)[] tags)
    {
        var vpc = await VpcAsync();
        var answer = await QueryAsync("elasticloadbalancing", "2015-12-01", "CreateTargetGroup",
            [("Name", name), ("Protocol", protocol), ("Port", "80"), ("VpcId", vpc), .. Tags("Tags.member", tags)]);
        return answer.Descendants().First(e => e.Name.LocalName == "TargetGroupArn").Value;
    }

    public Task CreateTableAsync(string name, params (string Key, string Value)[] tags) => CreateTableAsync(name, null, tags);

    /// <summary>A table on demand (<paramref name="capacity"/> null) or with provisioned read and write units.</summary>
    public Task CreateTableAsync(string name, (int Read, int Write)? capacity, params (string Key, string Value)[] tags)
    {
        var body = new JsonObject
        {
            ["TableName"] = name,
            ["AttributeDefinitions"] = new JsonArray(new JsonObject { ["AttributeName"] = "id", ["AttributeType"] = "S" }),
            ["KeySchema"] = new JsonArray(new JsonObject { ["AttributeName"] = "id", ["KeyType"] = "HASH" }),
            ["BillingMode"] = capacity is null ? "PAY_PER_REQUEST" : "PROVISIONED",
            ["Tags"] = new JsonArray([.. tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]),
        };
        if (capacity is { } c)
            body["ProvisionedThroughput"] = new JsonObject { ["ReadCapacityUnits"] = c.Read, ["WriteCapacityUnits"] = c.Write };
        return JsonAsync("dynamodb", "DynamoDB_20120810.CreateTable", body);
    }

    public Task PutItemAsync(string table, string id) =>
        JsonAsync("dynamodb", "DynamoDB_20120810.PutItem", new JsonObject { ["TableName"] = table, ["Item"] = new JsonObject { ["id"] = new JsonObject { ["S"] = id } } });

    public Task CreateQueueAsync(string name, params (string Key, string Value)[] tags)
    {
        var tagObject = new JsonObject();
        foreach (var (key, value) in tags)
            tagObject[key] = value;
        return JsonAsync("sqs", "AmazonSQS.CreateQueue", new JsonObject { ["QueueName"] = name, ["tags"] = tagObject });
    }

    /// <summary>A Lambda function (after the IAM role Lambda requires); moto stores it without running it.</summary>
    public async Task CreateFunctionAsync(string name, int memoryMb, params (string Key, string Value)[] tags) => await CreateFunctionAsync(name, memoryMb, 3, tags);

    /// <summary>A Lambda function with its timeout (seconds).</summary>
    public Task CreateFunctionAsync(string name, int memoryMb, int timeoutSeconds, params (string Key, string Value)[] tags) =>
        CreateFunctionAsync(name, memoryMb, timeoutSeconds, "x86_64", tags);

    /// <summary>A Lambda function with its timeout (seconds) and architecture (x86_64 or arm64).</summary>
    public async Task CreateFunctionAsync(string name, int memoryMb, int timeoutSeconds, string architecture, params (string Key, string Value)[] tags)
    {
        const string Role = "lambda-exec";
        try
        {
            await QueryAsync("iam", "2010-05-08", "CreateRole", ("RoleName", Role),
                ("AssumeRolePolicyDocument", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("EntityAlreadyExists", StringComparison.Ordinal))
        {
        }
        var tagObject = new JsonObject();
        foreach (var (key, value) in tags)
            tagObject[key] = value;
        await RestAsync("lambda", HttpMethod.Post, "/2015-03-31/functions", new JsonObject
        {
            ["FunctionName"] = name,
            ["Runtime"] = "python3.12",
            ["Role"] = $"arn:aws:iam::{MotoAws.DefaultAccount}:role/{Role}",
            ["Handler"] = "handler.main",
            ["MemorySize"] = memoryMb,
            ["Timeout"] = timeoutSeconds,
            ["Architectures"] = new JsonArray(architecture),
            ["Code"] = new JsonObject { ["ZipFile"] = Convert.ToBase64String(HandlerZip()) },
            ["Tags"] = tagObject,
        });
    }

    private static byte[] HandlerZip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("handler.py").Open());
            writer.Write("def main(event, context):\n    return event\n");
        }
        return buffer.ToArray();
    }

    /// <summary>An EBS volume; returns its id.</summary>
    public Task<string> CreateVolumeAsync(params (string Key, string Value)[] tags) => CreateVolumeAsync(8, "gp3", tags);

    /// <summary>An EBS volume of a size (GiB) and type, unattached; returns its id.</summary>
    public async Task<string> CreateVolumeAsync(int sizeGib, string type, params (string Key, string Value)[] tags)
    {
        using var ec2 = Ec2();
        var response = await ec2.CreateVolumeAsync(new CreateVolumeRequest
        {
            AvailabilityZone = "us-east-1a",
            Size = sizeGib,
            VolumeType = VolumeType.FindValue(type),
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Volume, Tags = [.. tags.Select(t => new Amazon.EC2.Model.Tag(t.Key, t.Value))] }],
        });
        return response.Volume.VolumeId;
    }

    /// <summary>Attaches a volume to a new instance in its zone, so its state becomes in-use.</summary>
    public async Task AttachVolumeAsync(string volumeId)
    {
        using var ec2 = Ec2();
        var run = await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = "ami-12c6146b", MinCount = 1, MaxCount = 1, InstanceType = InstanceType.T3Micro,
            Placement = new Placement { AvailabilityZone = "us-east-1a" },
        });
        await ec2.AttachVolumeAsync(new AttachVolumeRequest { VolumeId = volumeId, InstanceId = run.Reservation.Instances[0].InstanceId, Device = "/dev/sdf" });
    }

    /// <summary>A NAT gateway in a fresh subnet with an Elastic IP; returns its id.</summary>
    public async Task<string> CreateNatGatewayAsync(params (string Key, string Value)[] tags)
    {
        var subnets = await SubnetsAsync(1);
        using var ec2 = Ec2();
        var address = await ec2.AllocateAddressAsync(new AllocateAddressRequest { Domain = DomainType.Vpc });
        var response = await ec2.CreateNatGatewayAsync(new CreateNatGatewayRequest
        {
            SubnetId = subnets[0],
            AllocationId = address.AllocationId,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Natgateway, Tags = [.. tags.Select(t => new Amazon.EC2.Model.Tag(t.Key, t.Value))] }],
        });
        return response.NatGateway.NatGatewayId;
    }

    private string? _vpc;
    private int _subnets;

    private async Task<string> VpcAsync()
    {
        if (_vpc is not null)
            return _vpc;
        using var ec2 = Ec2();
        _vpc = (await ec2.CreateVpcAsync(new CreateVpcRequest { CidrBlock = "10.0.0.0/16" })).Vpc.VpcId;
        return _vpc;
    }

    private async Task<List<string>> SubnetsAsync(int count)
    {
        var vpc = await VpcAsync();
        using var ec2 = Ec2();
        var result = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var n = _subnets++;
            var subnet = await ec2.CreateSubnetAsync(new CreateSubnetRequest { VpcId = vpc, CidrBlock = $"10.0.{n}.0/24", AvailabilityZone = n % 2 == 0 ? "us-east-1a" : "us-east-1b" });
            result.Add(subnet.Subnet.SubnetId);
        }
        return result;
    }

    private AmazonEC2Client Ec2() => new(new BasicAWSCredentials(MotoAws.Ambient.AccessKeyId, MotoAws.Ambient.SecretAccessKey),
        new AmazonEC2Config { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = Region });
}
