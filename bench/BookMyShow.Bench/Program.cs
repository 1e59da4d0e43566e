using BookMyShow.Bench.Baseline;
using BookMyShow.Bench.Scenarios;

// Two programs in one: the benchmark itself, and the baseline server it starts as a separate process.
if (args.Length > 0 && args[0] == "baseline-server") return await BaselineServer.RunAsync(args[1..]);
return await BenchRunner.RunAsync(args);
