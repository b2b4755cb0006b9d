using Headroom.CloudWatch.Aws;
using Headroom.Prometheus.Aws;

namespace Headroom.CloudWatch.Tests;

/// <summary>
/// Vectors from AWS's Signature Version 4 test suite (aws-sig-v4-test-suite): credentials AKIDEXAMPLE, region us-east-1,
/// service "service", time 2015-08-30T12:36:00Z, host example.amazonaws.com. Expected values are the suite's.
/// </summary>
public class SigV4Tests
{
    private static readonly AwsCredentials s_suite = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset s_time = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private const string Scope = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

    private static SigningResult Compute(string method, string url, params (string Name, string Value)[] extra)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Host", "example.amazonaws.com"), new("X-Amz-Date", "20150830T123600Z") };
        headers.AddRange(extra.Select(e => new KeyValuePair<string, string>(e.Name, e.Value)));
        return SigV4Signer.Compute(new SigningInput(method, new Uri(url), headers, SigV4Signer.EmptyPayloadHash, "us-east-1", "service", s_time), s_suite);
    }

    [Fact]
    public void Get_vanilla()
    {
        var result = Compute("GET", "https://example.amazonaws.com/");
        Assert.Equal("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4Signer.EmptyPayloadHash, result.CanonicalRequest);
        Assert.Equal("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63", result.StringToSign);
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", result.Authorization);
    }

    [Fact]
    public void Post_vanilla()
    {
        var result = Compute("POST", "https://example.amazonaws.com/");
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b", result.Authorization);
    }

    [Fact]
    public void Get_vanilla_query_order_key_case()
    {
        var result = Compute("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1");
        Assert.Contains("\n/\nParam1=value1&Param2=value2\n", result.CanonicalRequest, StringComparison.Ordinal);
        Assert.EndsWith("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0", result.StringToSign, StringComparison.Ordinal);
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", result.Authorization);
    }

    [Fact]
    public void Get_unreserved()
    {
        var result = Compute("GET", "https://example.amazonaws.com/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f", result.Authorization);
    }

    [Fact]
    public void Post_header_value_case()
    {
        var result = Compute("POST", "https://example.amazonaws.com/", ("My-Header1", "VALUE1"));
        Assert.Equal(Scope + "SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d", result.Authorization);
    }

    [Fact]
    public void Get_header_value_trim()
    {
        var result = Compute("GET", "https://example.amazonaws.com/", ("My-Header1", " value1"), ("My-Header2", "\"a   b   c\""));
        Assert.Contains("my-header1:value1\nmy-header2:\"a b c\"\n", result.CanonicalRequest, StringComparison.Ordinal);
        Assert.Equal(Scope + "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736", result.Authorization);
    }

    [Fact]
    public void Signing_an_http_request_gives_the_suite_signature()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.amazonaws.com/?Param2=value2&Param1=value1");
        SigV4Signer.Sign(request, [], s_suite, "us-east-1", "service", s_time);
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal(Scope + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500", request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public void Session_token_is_sent_and_signed()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://monitoring.us-east-1.amazonaws.com/");
        SigV4Signer.Sign(request, [], s_suite with { SessionToken = "token-1" }, "us-east-1", "monitoring", s_time);
        Assert.Equal("token-1", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Contains("SignedHeaders=host;x-amz-date;x-amz-security-token,", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_never_print_the_secret()
    {
        Assert.DoesNotContain("EXAMPLEKEY", s_suite.ToString(), StringComparison.Ordinal);
    }
}
