using Headroom.Cli.Configuration;

namespace Headroom.Cli.Tests;

/// <summary>Every command finds the warehouse the same way, and a command that only reads one never creates it.</summary>
public sealed class WarehouseLocationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("headroom-warehouse-location-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("etl", "status")]
    [InlineData("report", "underused")]
    [InlineData("report", "waste")]
    [InlineData("etl", "prune")]
    [InlineData("lake", "export")]
    public async Task A_mistyped_db_is_refused_and_no_empty_warehouse_is_left_behind(string command, string subcommand)
    {
        var path = Path.Combine(_directory, "typo.db");
        string[] lake = command == "report" || subcommand == "status" ? [] : ["--lake", _directory];

        var result = await Cli.RunAsync([command, subcommand, "--db", "sqlite:" + path, .. lake]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"no warehouse at {path}", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path), $"{command} {subcommand} created {path}");
    }

    [Fact]
    public void The_flag_wins_then_the_environment_then_the_config_files_db_then_the_default()
    {
        var config = new HeadroomConfig { Db = "sqlite:from-config.db" };
        Assert.Null(Environment.GetEnvironmentVariable("HEADROOM_DB"));

        Assert.Equal("sqlite:flag.db", WarehouseLocation.Resolve("sqlite:flag.db", config));
        Assert.Equal("sqlite:from-config.db", WarehouseLocation.Resolve(null, config));
        Assert.Equal(EtlSettings.DefaultDatabase, WarehouseLocation.Resolve(null, new HeadroomConfig()));
    }
}
