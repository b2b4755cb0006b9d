using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Headroom.Warehouse;

/// <summary>Resource ids for a window's hourly rows, and portable IN lists.</summary>
internal abstract partial class SqlWarehouse
{
    private async Task<Dictionary<string, long>> ResolveResourceIdsAsync(DbConnection connection, DbTransaction transaction, CommitPlan plan, CancellationToken cancellationToken)
    {
        var needed = plan.Hourly.Select(h => h.Hash).Distinct().ToList();
        var ids = new Dictionary<string, long>(needed.Count, StringComparer.Ordinal);
        foreach (var chunk in needed.Chunk(IdsPerStatement))
        {
            var parameters = new DynamicParameters(new { profile = plan.Profile });
            var found = await connection.QueryAsync<(string Hash, long Id)>(Definition(
                $"SELECT resource_hash, id FROM resources WHERE profile = @profile AND resource_hash IN {InList(parameters, "h", chunk)}",
                parameters, transaction, cancellationToken)).ConfigureAwait(false);
            foreach (var (hash, id) in found)
                ids[hash] = id;
        }
        if (plan.Hourly.FirstOrDefault(h => !ids.ContainsKey(h.Hash)) is { Row: not null } missing)
            throw new ArgumentException($"Hourly rows reference resource '{CommitPlan.Shorten(missing.Row.ResourceKey)}', which is neither in the window's resources nor stored.", nameof(plan));
        return ids;
    }

    /// <summary>
    /// Adds one parameter per value and returns <c>(@p0, @p1, …)</c>. Dapper's own list expansion is not used:
    /// with Npgsql it binds an array, which <c>IN</c> does not accept.
    /// </summary>
    private static string InList<T>(DynamicParameters parameters, string prefix, IEnumerable<T> values)
    {
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = prefix + names.Count.ToString(CultureInfo.InvariantCulture);
            parameters.Add(name, value);
            names.Add("@" + name);
        }
        return "(" + string.Join(", ", names) + ")";
    }
}
