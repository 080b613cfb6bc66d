using System.Text;

namespace Bootstrap.Core.Remote;

/// <summary>
/// Where a secret (password, key passphrase) comes from. The cluster file names the source,
/// never the value; the value is read when needed and registered for redaction at once.
/// </summary>
public abstract record SecretSource
{
    private protected SecretSource()
    {
    }

    /// <summary>Safe to print: says where the secret comes from, never what it is.</summary>
    public abstract string Describe();

    /// <summary>Reads the secret and registers it with <paramref name="redactor"/> before returning it.</summary>
    public async Task<string> ResolveAsync(SecretRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        var value = await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(value))
        {
            throw new InvalidOperationException($"The secret from {Describe()} is empty.");
        }

        redactor.Register(value);
        return value;
    }

    protected abstract Task<string> ReadAsync(CancellationToken cancellationToken);

    public static SecretSource FromEnvironment(string variable) => new EnvironmentSecretSource(variable);

    public static SecretSource FromFile(string path) => new FileSecretSource(path);

    /// <summary>Asks on the terminal without echo; <paramref name="prompt"/> is the question shown.</summary>
    public static SecretSource FromPrompt(string prompt) => new PromptSecretSource(prompt);

    private sealed record EnvironmentSecretSource(string Variable) : SecretSource
    {
        public override string Describe() => $"environment variable {Variable}";

        protected override Task<string> ReadAsync(CancellationToken cancellationToken) =>
            Task.FromResult(Environment.GetEnvironmentVariable(Variable)
                ?? throw new InvalidOperationException($"The environment variable {Variable} is not set."));
    }

    private sealed record FileSecretSource(string Path) : SecretSource
    {
        public override string Describe() => $"file {Path}";

        // One trailing newline is what editors and `echo` add; it is not part of the secret.
        protected override async Task<string> ReadAsync(CancellationToken cancellationToken)
        {
            var text = await Config.BoundedFile.ReadAllTextAsync(Path, Config.BoundedFile.MaxSmallFileBytes, cancellationToken).ConfigureAwait(false);
            return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
                : text.EndsWith('\n') ? text[..^1] : text;
        }
    }

    private sealed record PromptSecretSource(string Prompt) : SecretSource
    {
        private static readonly SemaphoreSlim Terminal = new(1, 1);

        // One answer per question for the whole run: connecting to eight hosts asks once, not eight times.
        private static readonly Dictionary<string, string> Answers = new(StringComparer.Ordinal);

        public override string Describe() => $"prompt \"{Prompt}\"";

        protected override async Task<string> ReadAsync(CancellationToken cancellationToken)
        {
            if (Console.IsInputRedirected)
            {
                throw new InvalidOperationException($"Cannot ask for the secret ({Prompt}): standard input is not a terminal.");
            }

            // Parallel connections must not interleave their questions.
            await Terminal.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (Answers.TryGetValue(Prompt, out var known))
                {
                    return known;
                }

                await Console.Error.WriteAsync(Prompt + ": ").ConfigureAwait(false);
                var value = new StringBuilder();
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var key = Console.ReadKey(intercept: true);
                    if (key.Key == ConsoleKey.Enter)
                    {
                        break;
                    }

                    if (key.Key == ConsoleKey.Backspace)
                    {
                        if (value.Length > 0)
                        {
                            value.Length--;
                        }

                        continue;
                    }

                    value.Append(key.KeyChar);
                }

                await Console.Error.WriteLineAsync().ConfigureAwait(false);
                Answers[Prompt] = value.ToString();
                return Answers[Prompt];
            }
            finally
            {
                Terminal.Release();
            }
        }
    }
}
