using System.Globalization;

namespace Headroom.Insights.Waste;

/// <summary>The capacity rules: Lambda memory and DynamoDB provisioned capacity, sized from peaks plus margin.</summary>
public static partial class WasteRules
{
    /// <summary>Lambda's smallest memory setting, in MB.</summary>
    public const int LambdaMinMemoryMb = 128;

    /// <summary>Recommended memory is rounded up to a multiple of this (MB).</summary>
    public const int LambdaMemoryStepMb = 64;

    /// <summary>The memory Headroom recommends for a peak used memory: peak × (1 + margin), rounded up to 64 MB, at least 128 MB.</summary>
    public static int LambdaRecommendedMemory(double peakUsedMb, double margin) =>
        Math.Max(LambdaMinMemoryMb, (int)Math.Ceiling(peakUsedMb * (1 + margin) / LambdaMemoryStepMb) * LambdaMemoryStepMb);

    private static WasteFinding Lambda(Context context, WasteSubject subject)
    {
        var from = context.WindowStart;
        if (CheckCoverage(context, subject, from, out var coverage) is { } insufficient)
            return insufficient;
        var invocations = subject.Hours("invocations", from, context.End).Sum(WasteSubject.Total);
        if (invocations < context.Options.LambdaMinInvocations)
            return Insufficient(context, subject, $"{invocations:N0} invocations in {context.Options.Days} days (needs {context.Options.LambdaMinInvocations})", coverage);
        var used = subject.Hours("memory_used_mb", from, context.End);
        var configured = subject.Hours("memory_configured_mb", from, context.End);
        if (used.Count == 0)
            return Insufficient(context, subject, "no Lambda Insights memory data (used_memory_max) for the function: enable Lambda Insights on it", coverage);
        // The configuration now: Lambda Insights' latest total_memory (a function resized in the window is judged as it
        // is), else the memory ListFunctions gave (the info series' memory_size_mb).
        double current;
        if (configured.Count > 0)
            current = configured[^1].Max;
        else if (double.TryParse(subject.Label("memory_size_mb"), NumberStyles.Float, CultureInfo.InvariantCulture, out var listed) && listed > 0)
            current = listed;
        else
            return Insufficient(context, subject, "the function's configured memory is not known (neither Lambda Insights' total_memory nor a memory_size_mb label, which headroom cloudwatch reads with lambda:ListFunctions), so no saving is priced", coverage);
        var peak = used.Max(static h => h.Max);
        var recommended = LambdaRecommendedMemory(peak, context.Options.Margin);
        var daily = subject.DailyMaxima(from, context.End, "memory_used_mb");
        var durationSeconds = subject.Hours("duration_ms", from, context.End).Sum(WasteSubject.Total) / 1000;
        var over = recommended < current;
        var architecture = subject.Label("architecture") ?? "x86_64";
        var price = context.Prices.Find(subject.Resource.Resource.Region, "lambda", architecture, out var note);
        var windowHours = (decimal)(context.End - from).TotalHours;
        // GB-seconds of the window at the configured memory, scaled to a month; the saving assumes the same duration at
        // the smaller size (Compute Optimizer also projects duration, which Headroom does not).
        decimal? cost = price is null ? null : price.Usd * (decimal)(current / 1024 * durationSeconds) * PriceCatalog.HoursPerMonth / windowHours;
        var saving = price is null ? 0 : price.Usd * (decimal)((current - recommended) / 1024 * durationSeconds) * PriceCatalog.HoursPerMonth / windowHours;
        var evidence = $"peak used memory {N(peak)} MB of {N(current)} MB configured; + {context.Options.Margin:P0} margin → {recommended} MB; "
            + $"{invocations:N0} invocations, {N(durationSeconds)} s of run time in {context.Options.Days} days";
        return Finding(context, subject, over ? WasteVerdict.OverProvisioned : WasteVerdict.Ok, evidence, $"set memory to {recommended} MB",
            cost, saving, note ?? "saving assumes the same run time at the smaller memory", coverage, "peak MB used", daily);
    }

    private static WasteFinding DynamoDb(Context context, WasteSubject subject)
    {
        var from = context.WindowStart;
        if (CheckCoverage(context, subject, from, out var coverage) is { } insufficient)
            return insufficient;
        var parts = new List<string>();
        var actions = new List<string>();
        decimal? cost = 0;
        decimal saving = 0;
        string? note = null;
        var over = false;
        var provisionedMode = false;
        var mode = subject.Label("billing_mode");
        if (string.Equals(mode, "PAY_PER_REQUEST", StringComparison.OrdinalIgnoreCase))
            return Finding(context, subject, WasteVerdict.Ok, "on-demand capacity (billing mode PAY_PER_REQUEST): nothing to resize", "none", null, 0, null, coverage, "", []);
        foreach (var (side, service) in new[] { ("read", "read"), ("write", "write") })
        {
            // The provisioned units now: CloudWatch's latest ProvisionedCapacityUnits, else DescribeTable's (the info series'
            // read/write_capacity_units).
            var provisioned = subject.Hours($"{side}_provisioned", from, context.End);
            var now = provisioned.Count > 0 ? provisioned[^1].Avg
                : double.TryParse(subject.Label($"{side}_capacity_units"), NumberStyles.Float, CultureInfo.InvariantCulture, out var described) ? described : 0;
            if (now <= 0)
                continue;
            provisionedMode = true;
            // Consumed capacity has no datapoint in a period without requests, so a missing hour counts as 0.
            var consumed = subject.Hours($"{side}_consumed", from, context.End);
            var peak = consumed.Count == 0 ? 0 : consumed.Max(static h => h.Max);
            var required = Math.Max(1, Math.Ceiling(peak * (1 + context.Options.Margin)));
            var flagged = now > context.Options.DynamoDbFactor * required;
            parts.Add($"{side}: {N(now)} provisioned, peak consumed {N(peak)}/s, + {context.Options.Margin:P0} → {N(required)}{(flagged ? $" (over {N(context.Options.DynamoDbFactor)}×)" : "")}");
            var price = context.Prices.Find(subject.Resource.Resource.Region, "dynamodb", service, out var missing);
            if (price is null)
            {
                cost = null;
                note = missing;
            }
            else if (cost is not null)
            {
                cost += price.Usd * (decimal)now * PriceCatalog.HoursPerMonth;
            }
            if (flagged)
            {
                over = true;
                actions.Add($"{side} capacity {N(required)}");
                if (price is not null)
                    saving += price.Usd * (decimal)(now - required) * PriceCatalog.HoursPerMonth;
            }
        }
        if (!provisionedMode && mode is null)
        {
            // Neither the provisioned units nor the billing mode: the table may be provisioned with its capacity metrics not
            // collected. Saying "on demand" would be a guess.
            return Insufficient(context, subject, "neither provisioned capacity (ProvisionedRead/WriteCapacityUnits) nor the billing mode is known "
                + "(a billing_mode label, which headroom cloudwatch reads with dynamodb:DescribeTable), so no verdict", coverage);
        }
        if (!provisionedMode)
            return Finding(context, subject, WasteVerdict.Ok, "no provisioned units: nothing to resize", "none", null, 0, null, coverage, "", []);
        var daily = subject.DailyMaxima(from, context.End, "read_consumed");
        return Finding(context, subject, over ? WasteVerdict.OverProvisioned : WasteVerdict.Ok, string.Join("; ", parts),
            "set " + string.Join(", ", actions), cost, saving, note, coverage, "peak read units/s", daily);
    }
}
