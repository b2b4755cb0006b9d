using Headroom.Warehouse;

namespace Headroom.Cli.Configuration;

/// <summary>
/// Where the warehouse is, alike for every command that reads it (etl, report, lake, etl prune), and the check that it
/// exists before a command that only reads it opens it: opening an absent SQLite file would create an empty warehouse
/// and answer "no data" for a typo in the path.
/// </summary>
internal static class WarehouseLocation
{
    /// <summary>
    /// The warehouse URL: <paramref name="flag"/> (<c>--db</c>), else <c>HEADROOM_DB</c>, else <paramref name="config"/>'s
    /// <c>db:</c> (headroom.yaml in the current directory when no config is given), else <c>sqlite:headroom.db</c>.
    /// </summary>
    public static string Resolve(string? flag, HeadroomConfig? config = null)
    {
        if (flag is not null)
            return flag;
        if (Environment.GetEnvironmentVariable("HEADROOM_DB") is { Length: > 0 } env)
            return env;
        config ??= File.Exists("headroom.yaml") ? HeadroomConfig.Load("headroom.yaml") : null;
        return config?.Db ?? EtlSettings.DefaultDatabase;
    }

    /// <summary>
    /// Refuses a URL that does not parse (usage error) or names an absent SQLite file; <paramref name="load"/> says how
    /// to fill one ("load one with 'headroom etl run …'").
    /// </summary>
    public static void CheckExists(string url, string load)
    {
        WarehouseUrl parsed;
        try
        {
            parsed = WarehouseUrl.Parse(url);
        }
        catch (WarehouseUrlException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }
        if (parsed.Dialect == WarehouseDialect.Sqlite)
        {
            var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(parsed.ConnectionString).DataSource;
            if (!File.Exists(path))
                throw new CliException($"no warehouse at {path}; {load}, or point --db at an existing one");
        }
    }

    /// <summary>Opens a warehouse that must exist (<see cref="CheckExists"/>), migrated to the current schema.</summary>
    public static async Task<IWarehouse> OpenExistingAsync(string url, string load, CancellationToken cancellationToken)
    {
        CheckExists(url, load);
        return await Commands.EtlCommand.OpenWarehouseAsync(url, cancellationToken);
    }
}
