using BenchmarkDotNet.Running;
using Headroom.Benchmarks;

// Micro benchmarks: dotnet run -c Release --project bench/Headroom.Benchmarks -- --filter '*'
// The ETL macro benchmark against a real Prometheus: ... -- etl --help (driven by bench/etl.sh)
if (args.Length > 0 && args[0] == "etl")
    return await EtlMacro.RunAsync(args[1..]);
// The insights reports over 10,000 resources × 14 days: ... -- insights sqlite:/tmp/i.db|postgres [resources] [days] [runs]
// The lake: export throughput, size, and the report's queries over Parquet against the warehouse: -- lake sqlite:/tmp/l.db|postgres DIR [resources] [days] [runs]
if (args.Length > 0 && args[0] == "lake")
    return await LakeMacro.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "insights")
    return await InsightsMacro.RunAsync(args[1..]);
// The CloudWatch collector against a real moto_server: ... -- cloudwatch RESOURCES (driven by bench/cloudwatch.sh)
if (args.Length > 0 && args[0] == "cloudwatch")
    return await CloudWatchMacro.RunAsync(args[1..]);
// The direct CloudWatch ETL read against a real moto_server: ... -- cloudwatch-etl RESOURCES (driven by bench/cloudwatch-etl.sh)
if (args.Length > 0 && args[0] == "cloudwatch-etl")
    return await CloudWatchEtlMacro.RunAsync(args[1..]);
// PromQL: Headroom's engine against a real Prometheus on the same data: ... -- promql [series] [runs] (bench/promql.sh)
if (args.Length > 0 && args[0] == "promql")
    return await PromqlMacro.RunAsync(args[1..]);
// The gateway over 4 shards × 2 replicas against one Prometheus: ... -- gateway [series] [runs] [load-seconds] [clients] (bench/gateway.sh)
if (args.Length > 0 && args[0] == "gateway")
    return await GatewayMacro.RunAsync(args[1..]);
// Only a pushed query's layers, on the same setup: ... -- gateway-layers [series] [runs] (bench/gateway.sh --layers)
if (args.Length > 0 && args[0] == "gateway-layers")
    return await GatewayMacro.RunAsync(args[1..], layersOnly: true);
// The gateway's own CPU per layer, replicas served from memory (no Prometheus): ... -- gateway-cpu [series] [runs] [rate|pushed]
if (args.Length > 0 && args[0] == "gateway-cpu")
    return await GatewayCpu.RunAsync(args[1..]);
// Reading one shard's pushed answer: the gateway's one-pass reader against a JsonDocument: ... -- gateway-parse [iterations]
if (args.Length > 0 && args[0] == "gateway-parse")
    return GatewayParseCost.Run(args[1..]);
// The global ruler over a 2-shard gateway against one Prometheus evaluating the node rules itself: -- ruler [hosts] [runs] (bench/ruler.sh)
if (args.Length > 0 && args[0] == "ruler")
    return await RulerMacro.RunAsync(args[1..]);
// Shard planning: balance against hashmod, series moved per re-plan, plan time: ... -- shard
if (args.Length > 0 && args[0] == "shard")
    return ShardPlanningMacro.Run();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
