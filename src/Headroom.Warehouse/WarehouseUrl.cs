using System.Globalization;
using MySqlConnector;
using Npgsql;

namespace Headroom.Warehouse;

/// <summary>
/// A parsed warehouse URL: <c>sqlite:PATH</c>, <c>postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…</c>
/// (also <c>postgresql://</c>) or <c>mysql://USER:PASSWORD@HOST:PORT/DB</c>. <see cref="ToString"/> shows
/// the URL with its password replaced by <c>***</c>; only <see cref="ConnectionString"/> holds the secret.
/// </summary>
public sealed partial class WarehouseUrl
{
    private WarehouseUrl(WarehouseDialect dialect, string connectionString, string redacted)
    {
        Dialect = dialect;
        ConnectionString = connectionString;
        Redacted = redacted;
    }

    /// <summary>The database family.</summary>
    public WarehouseDialect Dialect { get; }

    /// <summary>The provider's connection string (Microsoft.Data.Sqlite, Npgsql or MySqlConnector). Contains the password: never log it.</summary>
    public string ConnectionString { get; }

    /// <summary>The URL with any password replaced by <c>***</c>, safe for logs and messages.</summary>
    public string Redacted { get; }

    /// <summary>Parses a warehouse URL.</summary>
    /// <exception cref="WarehouseUrlException">Unknown scheme or malformed URL; the message lists the accepted forms and never holds the password.</exception>
    public static WarehouseUrl Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var trimmed = url.Trim();
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var scheme = colon > 0 ? trimmed[..colon].ToLowerInvariant() : "";
        return scheme switch
        {
            "sqlite" => ParseSqlite(trimmed[(colon + 1)..]),
            "postgres" or "postgresql" => ParseServer(trimmed, WarehouseDialect.Postgres),
            "mysql" => ParseServer(trimmed, WarehouseDialect.MySql),
            "" => throw new WarehouseUrlException($"The warehouse URL has no scheme. Accepted forms: {WarehouseUrlException.AcceptedForms}."),
            _ => throw new WarehouseUrlException($"Unknown warehouse URL scheme '{Truncate(scheme)}'. Accepted forms: {WarehouseUrlException.AcceptedForms}."),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Redacted;

    private static WarehouseUrl ParseSqlite(string path)
    {
        // sqlite:///abs/path and sqlite://rel/path read like URLs; sqlite:path is the documented form.
        if (path.StartsWith("//", StringComparison.Ordinal))
            path = path[2..];
        if (path.Length == 0)
            throw new WarehouseUrlException($"The sqlite URL has no file path. Accepted forms: {WarehouseUrlException.AcceptedForms}.");
        var full = Path.GetFullPath(path);
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new WarehouseUrl(WarehouseDialect.Sqlite, builder.ConnectionString, "sqlite:" + path);
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
