namespace Headroom.Warehouse;

/// <summary>Options of a warehouse.</summary>
public sealed record WarehouseOptions
{
    /// <summary>The clock for run, gap and watermark timestamps. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Command timeout. Default 5 minutes, enough for a large window on a slow disk.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Opens warehouses by URL.</summary>
public static class Warehouse
{
    /// <summary>The URL used when none is configured.</summary>
    public const string DefaultUrl = "sqlite:headroom.db";

    /// <summary>Opens the warehouse at <paramref name="url"/> with default options and checks that it can be reached.</summary>
    /// <inheritdoc cref="OpenAsync(string, WarehouseOptions, CancellationToken)"/>
    public static Task<IWarehouse> OpenAsync(string url, CancellationToken cancellationToken = default) =>
        OpenAsync(url, new WarehouseOptions(), cancellationToken);

    /// <summary>Opens the warehouse at <paramref name="url"/> and checks that it can be reached.</summary>
    /// <exception cref="WarehouseUrlException">The URL is not understood.</exception>
    /// <exception cref="WarehouseException">The database cannot be reached or refused the login; the message holds the redacted URL.</exception>
    public static async Task<IWarehouse> OpenAsync(string url, WarehouseOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parsed = WarehouseUrl.Parse(url);
        SqlWarehouse warehouse = parsed.Dialect switch
        {
            WarehouseDialect.Sqlite => new SqliteWarehouse(parsed, options),
            WarehouseDialect.Postgres => new PostgresWarehouse(parsed, options),
            _ => new MySqlWarehouse(parsed, options),
        };
        try
        {
            var connection = await warehouse.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionDisposal = connection.ConfigureAwait(false);
        }
        catch
        {
            await warehouse.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return warehouse;
    }
}
