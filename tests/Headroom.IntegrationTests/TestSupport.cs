using System.Diagnostics;
using System.Text.Json;

namespace Headroom.IntegrationTests;

/// <summary>Small helpers shared by the integration tests.</summary>
internal static class TestSupport
{
    public static HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="because"/> after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (stopwatch.Elapsed > timeout)
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting until {because}.");
            await Task.Delay(200);
        }
    }

    public static async Task<JsonDocument> GetJsonAsync(Uri uri)
    {
        using var response = await Http.GetAsync(uri);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {uri} returned {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    /// <summary>The single value of an instant query's first vector element, or null when the vector is empty.</summary>
    public static async Task<string?> QueryScalarAsync(Uri prometheus, string query, DateTimeOffset? time = null)
    {
        var uri = new Uri(prometheus, "api/v1/query?query=" + Uri.EscapeDataString(query)
            + (time is { } t ? "&time=" + t.ToUnixTimeSeconds() : ""));
        using var json = await GetJsonAsync(uri);
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null : result[0].GetProperty("value")[1].GetString();
    }

    /// <summary>True while a process with <paramref name="pid"/> exists (zombies included).</summary>
    public static bool ProcessExists(int pid) => Directory.Exists($"/proc/{pid}");
}

/// <summary>A test-owned scratch directory, deleted on dispose.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("headroom-test-").FullName;

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
