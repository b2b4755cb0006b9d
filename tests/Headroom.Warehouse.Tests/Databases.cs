using System.Globalization;
using Dapper;
using Headroom.Servers;
using Headroom.Testing;
using MySqlConnector;
using Npgsql;

namespace Headroom.Warehouse.Tests;

/// <summary>A database server per test class; every test gets a fresh, empty database on it.</summary>
public interface IDatabases : IAsyncLifetime
{
    WarehouseDialect Dialect { get; }

    Task<string> NewDatabaseUrlAsync();
}

public sealed class SqliteDatabases : IDatabases
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "headroom-warehouse-" + Guid.NewGuid().ToString("N"));
    private int _next;

    public WarehouseDialect Dialect => WarehouseDialect.Sqlite;

    public Task<string> NewDatabaseUrlAsync() =>
        Task.FromResult($"sqlite:{_directory}/db{Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture)}.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresDatabases : IDatabases
{
    private PostgresServer? _server;
    private int _next;

    public WarehouseDialect Dialect => WarehouseDialect.Postgres;

    public async Task<string> NewDatabaseUrlAsync()
    {
        var name = "hr" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection(_server!.ConnectionString);
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        return _server.Url[.._server.Url.LastIndexOf('/')] + "/" + name;
    }

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
            await _server.DisposeAsync();
    }
}

public sealed class MariaDbDatabases : IDatabases
{
    private MariaDbServer? _server;
    private int _next;

    public WarehouseDialect Dialect => WarehouseDialect.MySql;

    public async Task<string> NewDatabaseUrlAsync()
    {
        var name = "hr" + Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture);
        await using var connection = new MySqlConnection(_server!.ConnectionString);
        // The server's default character set (latin1 on MariaDB 10.11): the tables must bring utf8mb4 themselves.
        await connection.ExecuteAsync($"CREATE DATABASE {name}");
        return _server.Url[.._server.Url.LastIndexOf('/')] + "/" + name;
    }

    public async Task InitializeAsync() => _server = await MariaDbServer.StartAsync();

    public async Task DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
