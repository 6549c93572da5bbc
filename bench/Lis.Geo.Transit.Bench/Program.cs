using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Lis.Geo.Transit.Bench -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Lis.Geo.Transit.Bench.RouterBenchmarks).Assembly).Run(args);
