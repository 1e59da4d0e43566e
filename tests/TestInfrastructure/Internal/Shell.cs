using System.Globalization;

namespace BookMyShow.TestInfrastructure.Internal;

internal sealed record CommandResult(int ExitCode, string Output);

internal static class Shell
{
    /// <summary>Runs a command to completion (with a deadline) and returns its exit code and output.</summary>
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        await using var child = ChildProcess.Start(fileName, arguments, environment, workingDirectory);
        var exitCode = await child.WaitForExitAsync(timeout, cancellationToken).ConfigureAwait(false);
        return new CommandResult(exitCode, string.Join(Environment.NewLine, child.GetOutputLines()));
    }

    /// <summary>Like <see cref="RunAsync"/> but throws when the exit code is not 0.</summary>
    public static async Task<string> RunCheckedAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(fileName, arguments, timeout, environment, workingDirectory, cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{fileName} {string.Join(' ', arguments)}' failed with exit code {result.ExitCode}:{Environment.NewLine}{result.Output}");
        }

        return result.Output;
    }

    /// <summary>Quotes a word for /bin/sh.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
