namespace Headroom.Warehouse;

/// <summary>A warehouse URL that cannot be understood. The message never contains a password.</summary>
public sealed class WarehouseUrlException : FormatException
{
    /// <summary>The forms a warehouse URL may take, for error messages and help text.</summary>
    public const string AcceptedForms = "sqlite:PATH (e.g. sqlite:headroom.db), postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=MODE (or postgresql://), mysql://USER:PASSWORD@HOST:PORT/DATABASE";

    public WarehouseUrlException() { }

    public WarehouseUrlException(string message) : base(message) { }

    public WarehouseUrlException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// The warehouse could not be reached or refused an operation. The message names the database by its
/// redacted URL (password as <c>***</c>) and says what failed.
/// </summary>
public sealed class WarehouseException : Exception
{
    public WarehouseException() { }

    public WarehouseException(string message) : base(message) { }

    public WarehouseException(string message, Exception innerException) : base(message, innerException) { }
}
