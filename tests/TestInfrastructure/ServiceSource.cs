namespace BookMyShow.TestInfrastructure;

/// <summary>Where a test server came from.</summary>
public enum ServiceSource
{
    /// <summary>Given by BMS_TEST_POSTGRES / BMS_TEST_RABBITMQ.</summary>
    EnvironmentVariable,

    /// <summary>Started by Testcontainers on a reachable Docker engine.</summary>
    Container,

    /// <summary>Started as a local process (initdb + postgres, rabbitmq-server) in a temp directory.</summary>
    LocalProcess,
}
