namespace Headroom.Warehouse;

/// <summary>The SQL database family a warehouse URL points at.</summary>
public enum WarehouseDialect
{
    /// <summary>An embedded SQLite file (<c>sqlite:path</c>), the default.</summary>
    Sqlite,

    /// <summary>PostgreSQL (<c>postgres://…</c> or <c>postgresql://…</c>).</summary>
    Postgres,

    /// <summary>MySQL 8, MariaDB or PolarDB for MySQL (<c>mysql://…</c>).</summary>
    MySql,
}
