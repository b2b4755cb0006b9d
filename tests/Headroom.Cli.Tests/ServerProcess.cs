using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Headroom.Servers;

namespace Headroom.Cli.Tests;

/// <summary>
/// A <c>headroom</c> server running as a child process, for what only a separate process shows: the log lines on its
/// stderr (the console logger writes to the process's stderr, not to the writer an in-process run is given) and a clean
/// stop on SIGTERM, which flushes them.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    // Generous for a loaded 2-core machine: a start is about a second, a stop well under one.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly ConcurrentQueue<string> _error = new();

    private ServerProcess(Process process) => _process = process;

    public IReadOnlyList<string> Output => [.. _output];

    public IReadOnlyList<string> Error => [.. _error];

    /// <summary>Every stderr line as a JSON object (throws on a line that is not one).</summary>
    public IReadOnlyList<JsonElement> JsonLogs => [.. Error.Select(ParseLine)];

    /// <summary>The JSON log lines of requests for <paramref name="path"/>.</summary>
    public IReadOnlyList<JsonElement> RequestLines(string path) =>
        [.. JsonLogs.Where(l => l.GetProperty("State").TryGetProperty("Path", out var p) && p.GetString() == path)];

    public static ServerProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Start(Cli.StartInfo(environment, args));

    /// <summary>Starts the server under <c>nohup</c>: SIGHUP ignored from the start, as a supervisor or a shell may leave it.</summary>
    public static ServerProcess StartUnderNohup(params string[] args)
    {
        var info = Cli.StartInfo(new Dictionary<string, string>(), args);
        info.ArgumentList.Insert(0, info.FileName);
        info.FileName = "nohup";
        return Start(info);
    }

    private static ServerProcess Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info };
        var server = new ServerProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) server._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) server._error.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with what the server printed if it exits or the time is up.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"the server exited before {what}: {Printed()}");
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(deadline.Elapsed < s_timeout, $"no {what} after {s_timeout.TotalSeconds} s: {Printed()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="url"/> answers 200, i.e. the server is listening.</summary>
    public Task WaitForAsync(HttpClient http, Uri url) =>
        WaitUntilAsync(async () => (await http.GetAsync(url)).IsSuccessStatusCode, $"answer from {url}");

    /// <summary>Sends SIGHUP (a reload, for the servers that read files).</summary>
    public void Hangup() => Libc.Signal(_process.Id, Libc.SigHup);

    /// <summary>Sends SIGTERM and waits for the exit and the end of both streams; the exit code.</summary>
    public async Task<int> StopAsync()
    {
        Libc.Signal(_process.Id, Libc.SigTerm);
        using var timeout = new CancellationTokenSource(s_timeout);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
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

    private static JsonElement ParseLine(string line)
    {
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private string Printed() => $"stdout: {string.Join('\n', Output)}\nstderr: {string.Join('\n', Error)}";
}
