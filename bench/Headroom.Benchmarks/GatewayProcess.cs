using System.Diagnostics;
using System.Globalization;
using Headroom.Servers;
using Headroom.Testing;

namespace Headroom.Benchmarks;

/// <summary>
/// <c>headroom gateway</c> as it is deployed: its own process (the CLI built in Release), its configuration from a file.
/// In the benchmark's own process the gateway shared its heap and its garbage collections with the clients, which
/// read every answer (10 MB of JSON for a day of <c>rate</c>) into strings and parse it; in its own process the
/// gateway's time and memory are its own, as the one Prometheus' are.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    /// <summary>Where it listens.</summary>
    public Uri BaseUri { get; }

    /// <summary>The process, for its memory in /proc.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Writes <paramref name="yaml"/> to a file in <paramref name="directory"/>, starts the gateway on it, and waits until it is ready.</summary>
    public static async Task<GatewayProcess> StartAsync(string yaml, string directory)
    {
        var cli = RepositoryPaths.Combine("src", "Headroom.Cli", "bin", "Release", "net10.0", "headroom.dll");
        if (!File.Exists(cli))
            throw new InvalidOperationException($"{cli} is missing: build it first (dotnet build src/Headroom.Cli -c Release; bench/gateway.sh does)");
        var config = Path.Combine(directory, "gateway.yml");
        await File.WriteAllTextAsync(config, yaml);
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cli, "gateway", "--config", config, "--listen", $"127.0.0.1:{port}", "--log-level", "warn" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) printed.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) printed.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var gateway = new GatewayProcess(process, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"headroom gateway exited ({process.ExitCode}): {string.Join('\n', printed)}");
            try
            {
                using var ready = await http.GetAsync(new Uri(gateway.BaseUri, "-/ready"));
                if (ready.IsSuccessStatusCode)
                    return gateway;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(1))
            {
                await gateway.DisposeAsync();
                throw new InvalidOperationException($"headroom gateway not ready after a minute: {string.Join('\n', printed)}");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
