using System.Net;
using System.Net.Sockets;

namespace Headroom.Warehouse.Tests;

public class ConnectionFailureTests
{
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task An_unreachable_server_gives_a_clear_error_without_the_password(string scheme)
    {
        var url = $"{scheme}://etl:Sup3rSecret@127.0.0.1:{ClosedPort()}/headroom";

        var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.OpenAsync(url));

        Assert.StartsWith($"Cannot connect to the warehouse at {scheme}://etl:***@127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", error.ToString(), StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task An_sqlite_file_that_cannot_be_created_gives_a_clear_error()
    {
        var blocker = Path.GetTempFileName();
        try
        {
            // A path below a regular file cannot be created.
            var error = await Assert.ThrowsAsync<WarehouseException>(() => Warehouse.OpenAsync($"sqlite:{blocker}/sub/h.db"));
            Assert.Contains(blocker, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
