using System.Globalization;
using BookMyShow.Bench.Load;

namespace BookMyShow.Bench.Scenarios;

/// <summary>The bench's command line. Defaults are the issue's full numbers; <c>--quick</c> shrinks them for CI.</summary>
public sealed class BenchOptions
{
    public const string Usage = """
        usage: BookMyShow.Bench [--quick] [--out DIR] [--scenarios hot,sustained,expiry,failover]
                                [--listen sse|poll|user] [--poll-interval-ms 250] [--connections 1024] [--seed 1]
                                [--hot-users N] [--hot-window-s S] [--pay-share 0.5] [--sustained-rates 50,100,250,...]
                                [--step-seconds 15] [--storm-holds N] [--baseline-pool 64] [--no-baseline]
               BookMyShow.Bench baseline-server --urls URL --postgres CS [--pool N] [--ttl hh:mm:ss]
        """;

    public bool Quick { get; private set; }
    public string? OutDirectory { get; private set; }
    public IReadOnlyList<string> Scenarios { get; private set; } = ["hot", "sustained", "expiry", "failover"];
    public ListenMode Listen { get; private set; } = ListenMode.User;
    public TimeSpan PollInterval { get; private set; } = TimeSpan.FromMilliseconds(250);
    public int Connections { get; private set; } = 1024;
    public int Seed { get; private set; } = 1;
    public int HotUsers { get; private set; } = 10_000;
    public TimeSpan HotWindow { get; private set; } = TimeSpan.FromSeconds(1);
    public double PayShare { get; private set; } = 0.5;
    public IReadOnlyList<int> SustainedRates { get; private set; } = [50, 100, 250, 500, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 8000];
    public TimeSpan StepLength { get; private set; } = TimeSpan.FromSeconds(15);
    public int StormHolds { get; private set; } = 10_000;
    public int StormOthersRate { get; private set; } = 100;
    public TimeSpan StormTtl { get; private set; } = TimeSpan.FromSeconds(40);
    public int BaselinePool { get; private set; } = 64;
    public bool RunBaseline { get; private set; } = true;
    /// <summary>How long after the last arrival a request may still be decided before it counts as unanswered.</summary>
    public TimeSpan DecisionDeadline { get; private set; } = TimeSpan.FromSeconds(120);

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        if (args.Contains("--quick")) o.ApplyQuick();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            switch (args[i])
            {
                case "--quick": break;
                case "--out": o.OutDirectory = Next(); break;
                case "--scenarios": o.Scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                case "--listen": o.Listen = Enum.Parse<ListenMode>(Next(), ignoreCase: true); break;
                case "--poll-interval-ms": o.PollInterval = TimeSpan.FromMilliseconds(Int(Next())); break;
                case "--connections": o.Connections = Int(Next()); break;
                case "--seed": o.Seed = Int(Next()); break;
                case "--hot-users": o.HotUsers = Int(Next()); break;
                case "--hot-window-s": o.HotWindow = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--pay-share": o.PayShare = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sustained-rates": o.SustainedRates = Next().Split(',').Select(Int).ToList(); break;
                case "--step-seconds": o.StepLength = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--storm-holds": o.StormHolds = Int(Next()); break;
                case "--baseline-pool": o.BaselinePool = Int(Next()); break;
                case "--no-baseline": o.RunBaseline = false; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.\n{Usage}");
            }
        }
        var unknown = o.Scenarios.Except(["hot", "sustained", "expiry", "failover"]).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown scenarios: {string.Join(", ", unknown)}.\n{Usage}");
        return o;
    }

    void ApplyQuick()
    {
        Quick = true;
        HotUsers = 600;
        SustainedRates = [50, 100];
        StepLength = TimeSpan.FromSeconds(3);
        StormHolds = 400;
        StormOthersRate = 40;
        StormTtl = TimeSpan.FromSeconds(12);
        Connections = 256;
        DecisionDeadline = TimeSpan.FromSeconds(20);
    }

    static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    public Dictionary<string, string> Describe() => new()
    {
        ["mode"] = Quick ? "quick" : "full",
        ["listen"] = Listen switch
        {
            ListenMode.Sse => "SSE (events_url)",
            ListenMode.User => "the user's own event stream (GET /v1/users/me/events, opened before the sale)",
            _ => $"poll every {PollInterval.TotalMilliseconds} ms",
        },
        ["client connections (keep-alive pool, pre-opened)"] = Connections.ToString(CultureInfo.InvariantCulture),
        ["pay share of granted holds"] = PayShare.ToString("0.##", CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["baseline pool"] = BaselinePool.ToString(CultureInfo.InvariantCulture),
    };
}
