using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Headroom.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
