using System.Globalization;
using MySqlConnector;
using Npgsql;

namespace Headroom.Warehouse;

/// <summary>postgres:// and mysql:// URLs: provider connection strings and redacted display forms.</summary>
public sealed partial class WarehouseUrl
{
    private static WarehouseUrl ParseServer(string url, WarehouseDialect dialect)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new WarehouseUrlException($"The {dialect.ToString().ToLowerInvariant()} URL is malformed (percent-encode special characters in the user and password). Accepted forms: {WarehouseUrlException.AcceptedForms}.");
        var (user, password) = SplitUserInfo(uri.UserInfo);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var query = ParseQuery(uri.Query);
        var host = uri.Host.Trim('[', ']');
        var redacted = Redact(uri, password is not null);
        var connectionString = dialect == WarehouseDialect.Postgres
            ? PostgresConnectionString(host, uri.IsDefaultPort ? 5432 : uri.Port, user, password, database, query, redacted)
            : MySqlConnectionString(host, uri.IsDefaultPort ? 3306 : uri.Port, user, password, database, query, redacted);
        return new WarehouseUrl(dialect, connectionString, redacted);
    }

    private static string PostgresConnectionString(string host, int port, string? user, string? password, string database, List<KeyValuePair<string, string>> query, string redacted)
    {
        var builder = new NpgsqlConnectionStringBuilder { Host = host, Port = port, Username = user, Password = password };
        if (database.Length > 0)
            builder.Database = database;
        foreach (var (key, value) in query)
        {
            var name = key.ToLowerInvariant() switch
            {
                "sslmode" => "SSL Mode",
                "connect_timeout" => "Timeout",
                "application_name" => "Application Name",
                "target_session_attrs" => "Target Session Attributes",
                _ => key,
            };
            SetOption(builder, name, key, value, redacted);
        }
        return builder.ConnectionString;
    }

    private static string MySqlConnectionString(string host, int port, string? user, string? password, string database, List<KeyValuePair<string, string>> query, string redacted)
    {
        var builder = new MySqlConnectionStringBuilder { Server = host, Port = (uint)port, UserID = user ?? "root", Password = password ?? "", Database = database };
        foreach (var (key, value) in query)
            SetOption(builder, key.ToLowerInvariant() is "sslmode" or "ssl-mode" ? "SslMode" : key, key, value, redacted);
        return builder.ConnectionString;
    }

    private static void SetOption(System.Data.Common.DbConnectionStringBuilder builder, string name, string key, string value, string redacted)
    {
        try
        {
            builder[name] = value;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new WarehouseUrlException($"Unsupported or invalid option '{Truncate(key)}' in warehouse URL {redacted}.", e);
        }
    }

    private static (string? User, string? Password) SplitUserInfo(string userInfo)
    {
        if (userInfo.Length == 0)
            return (null, null);
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (Uri.UnescapeDataString(userInfo), null)
            : (Uri.UnescapeDataString(userInfo[..colon]), Uri.UnescapeDataString(userInfo[(colon + 1)..]));
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..]);
            result.Add(new(key, value));
        }
        return result;
    }

    private static string Redact(Uri uri, bool hasPassword)
    {
        var user = uri.UserInfo.Split(':')[0];
        var userPart = user.Length == 0 ? "" : hasPassword ? user + ":***@" : user + "@";
        var port = uri.IsDefaultPort ? "" : ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        // Query options such as password= or sslpassword= are secrets too.
        var query = string.Join("&", uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=')[0] is var key && key.Contains("pass", StringComparison.OrdinalIgnoreCase) ? key + "=***" : p));
        return $"{uri.Scheme}://{userPart}{uri.Host}{port}{uri.AbsolutePath}{(query.Length == 0 ? "" : "?" + query)}";
    }
}
