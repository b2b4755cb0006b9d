using System.Globalization;
using Headroom.Servers;

namespace Headroom.Testing;

/// <summary>
/// A real PostgreSQL server: <c>initdb</c> in a temporary directory, then the server on a free
/// loopback port with trust authentication for the superuser <c>postgres</c> and its unix socket
/// in the same directory. Tuned for tests (fsync off): never point it at data worth keeping.
/// </summary>
/// <remarks>
/// The child is <c>postgres</c> itself rather than <c>pg_ctl start</c>: pg_ctl daemonizes, so its
/// PID and output would not be ours to watch and signal. Running the server in the foreground gives
/// the same lifecycle as every other server here, and SIGINT (PostgreSQL's "fast" shutdown) stops it
/// without waiting for pooled client connections to close. When this process is root the server runs
/// as the <c>postgres</c> OS user through <c>setpriv</c>, because PostgreSQL refuses to run as root.
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string OsUser = "postgres";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly RunningServer _server;

    private PostgresServer(RunningServer server) => _server = server;

    /// <summary>Always <c>127.0.0.1</c>.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port the server listens on.</summary>
    public int Port => _server.Port;

    /// <summary>The superuser, <c>postgres</c>; no password is needed.</summary>
    public string User => "postgres";

    /// <summary>The database, <c>postgres</c>.</summary>
    public string Database => "postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=41234;Username=postgres;Database=postgres</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host={Host};Port={Port};Username={User};Database={Database}");

    /// <summary>A connection URL, e.g. <c>postgres://postgres@127.0.0.1:41234/postgres</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"postgres://{User}@{Host}:{Port}/{Database}");

    /// <summary>The last lines PostgreSQL wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The postmaster's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Initializes a cluster and starts PostgreSQL; returns once it accepts connections.</summary>
    /// <exception cref="MissingBinaryException">PostgreSQL is not installed.</exception>
    /// <exception cref="ServerStartException">initdb failed, or the server exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var initdb = FindBinary("initdb");
        var postgres = FindBinary("postgres");
        var directory = TempDirectory.Create("postgres");
        try
        {
            var dataDirectory = directory.Combine("data");
            if (Libc.IsRoot)
            {
                var chown = BinaryLocator.Find("chown", "coreutils");
                (await ToolRunner.RunAsync(chown, [$"{OsUser}:{OsUser}", directory.Path], null, cancellationToken)).EnsureSuccess();
            }

            var init = new ProcessSpec("initdb", initdb,
                ["-D", dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]).AsUserWhenRoot(OsUser);
            var initResult = await ToolRunner.RunAsync(init.FileName, init.Arguments, null, cancellationToken);
            if (!initResult.Succeeded)
                throw new ServerStartException("postgres", $"initdb exited with code {initResult.ExitCode}", initResult.StandardOutput + initResult.StandardError);

            var plan = new LaunchPlan(
                "postgres",
                port => new ProcessSpec("postgres", postgres,
                [
                    "-D", dataDirectory,
                    "-p", port.ToString(CultureInfo.InvariantCulture),
                    "-h", "127.0.0.1",
                    "-k", directory.Path,
                    "-c", "fsync=off",
                    "-c", "synchronous_commit=off",
                    "-c", "full_page_writes=off",
                ])
                {
                    StopSignal = Libc.SigInt,
                }.AsUserWhenRoot(OsUser),
                Probes.LogLineAndTcp("database system is ready to accept connections"),
                s_startTimeout);
            return new PostgresServer(await RunningServer.StartAsync(plan, directory, cancellationToken));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Stops PostgreSQL (fast shutdown, then SIGKILL) and removes its directory.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    /// <summary>Finds a PostgreSQL server binary, preferring the highest installed major version.</summary>
    public static string FindBinary(string binary)
    {
        foreach (var directory in BinDirectories())
        {
            var candidate = Path.Combine(directory, binary);
            if (File.Exists(candidate))
                return candidate;
        }
        return BinaryLocator.Find(binary, "postgresql");
    }

    /// <summary>/usr/lib/postgresql/*/bin, highest numeric version first: Debian keeps them off PATH.</summary>
    private static IEnumerable<string> BinDirectories()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
            return [];
        return Directory.GetDirectories(root)
            .Select(d => (Directory: d, Version: double.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"));
    }
}
