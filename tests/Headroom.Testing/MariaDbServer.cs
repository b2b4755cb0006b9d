using System.Globalization;
using Headroom.Servers;

namespace Headroom.Testing;

/// <summary>
/// A real MariaDB server (MySQL compatible): <c>mariadb-install-db</c> into a temporary data
/// directory, then <c>mariadbd --no-defaults</c> (so /etc/mysql does not interfere) on a free
/// loopback port. User <c>root</c> has no password; the database <c>headroom</c> exists.
/// </summary>
public sealed class MariaDbServer : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly RunningServer _server;

    private MariaDbServer(RunningServer server) => _server = server;

    /// <summary>Always <c>127.0.0.1</c>.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port the server listens on.</summary>
    public int Port => _server.Port;

    /// <summary>The user, <c>root</c>, without a password.</summary>
    public string User => "root";

    /// <summary>The database created at start, <c>headroom</c>.</summary>
    public string Database => "headroom";

    /// <summary>A MySqlConnector connection string, e.g. <c>Server=127.0.0.1;Port=41234;User ID=root;Database=headroom</c>.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Server={Host};Port={Port};User ID={User};Database={Database}");

    /// <summary>A connection URL, e.g. <c>mysql://root@127.0.0.1:41234/headroom</c>.</summary>
    public string Url => string.Create(CultureInfo.InvariantCulture, $"mysql://{User}@{Host}:{Port}/{Database}");

    /// <summary>The last lines MariaDB wrote to stdout and stderr.</summary>
    public string RecentLogs => _server.RecentLogs;

    /// <summary>The server's process id.</summary>
    public int ProcessId => _server.Process.Id;

    /// <summary>Installs a data directory and starts MariaDB; returns once it accepts connections.</summary>
    /// <exception cref="MissingBinaryException">mariadb-server is not installed.</exception>
    /// <exception cref="ServerStartException">Installing failed, or the server exited or was not ready in time; the message holds its logs.</exception>
    public static async Task<MariaDbServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var installDb = BinaryLocator.Find("mariadb-install-db", "mariadb-server");
        var mariadbd = BinaryLocator.Find("mariadbd", "mariadb-server");
        var directory = TempDirectory.Create("mariadb");
        try
        {
            var dataDirectory = directory.Combine("data");
            string[] asRoot = Libc.IsRoot ? ["--user=root"] : [];
            var install = await ToolRunner.RunAsync(installDb,
                ["--no-defaults", "--datadir=" + dataDirectory, "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve", .. asRoot],
                null, cancellationToken);
            if (!install.Succeeded)
                throw new ServerStartException("mariadb", $"mariadb-install-db exited with code {install.ExitCode}", install.StandardOutput + install.StandardError);

            // --init-file runs before the server accepts connections, so "ready" implies the database exists.
            var initFile = directory.Combine("init.sql");
            await File.WriteAllTextAsync(initFile, "CREATE DATABASE IF NOT EXISTS headroom;\n", cancellationToken);
            var plan = new LaunchPlan(
                "mariadb",
                port => new ProcessSpec("mariadb", mariadbd,
                [
                    "--no-defaults",
                    "--datadir=" + dataDirectory,
                    "--port=" + port.ToString(CultureInfo.InvariantCulture),
                    "--socket=" + directory.Combine("mysqld.sock"),
                    "--pid-file=" + directory.Combine("mysqld.pid"),
                    "--tmpdir=" + directory.Path,
                    "--bind-address=127.0.0.1",
                    "--skip-name-resolve",
                    "--init-file=" + initFile,
                    "--innodb-buffer-pool-size=32M",
                    .. asRoot,
                ]),
                Probes.LogLineAndTcp("ready for connections"),
                s_startTimeout);
            return new MariaDbServer(await RunningServer.StartAsync(plan, directory, cancellationToken));
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>Stops MariaDB (SIGTERM, then SIGKILL) and removes its data directory.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
