using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bootstrap.Core.Tests.Cli;
using Bootstrap.Core.Tests.Pki;
using Xunit.Abstractions;

namespace Bootstrap.Core.Tests.Config;

/// <summary>
/// Random mutations of examples/lab-cluster.yaml (seeded, so a failure reproduces) through the real
/// <c>bootstrap validate</c>, from a file and from standard input: whatever the input, the answer is exit 0 or 2,
/// never an unhandled exception or an internal error, and each case allocates a bounded amount of memory.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class ClusterFileFuzzTests(ITestOutputHelper log)
{
    private const int Seed = 19;
    private const int MaxCases = 2000;
    private const long MaxAllocatedBytesPerCase = 128L * 1024 * 1024;
    private const long MaxWorkingSetGrowth = 512L * 1024 * 1024;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);

    // Values that have broken parsers before: YAML syntax, aliases, tags, numbers, addresses, huge and odd text.
    private static readonly string[] Interesting =
    [
        string.Empty, "~", "null", "[", "]", "{", "}", "[]", "{}", "&a x", "*a", "*nope", "!!binary aGVsbG8=", "!custom x", "-1", "0",
        "99999999999999999999", "1e400", "0x1F", "10.0.0.300", "1.2.3", "::", "fd00::1%eth0", "\"unterminated", "'x", "|", ">-",
        "@", "`", "%TAG", "<<: *a", "\t", "- a", ": :", "? x", "#", "true", "yes", "v1.99.0", "v2.0.0", "http://x", "file:", "env:",
        "prompt", "/dev/zero", "/", "..", "ŝpéc ☃ 😀", "\u0085", new string('a', 5000), new string('[', 300) + new string(']', 300),
        string.Concat(Enumerable.Repeat("{a: ", 80)) + "1" + new string('}', 80),
        "[" + string.Join(", ", Enumerable.Repeat("*x", 200)) + "]",
    ];

    [Fact]
    public async Task Random_mutations_of_the_example_file_exit_0_or_2_without_crashing_in_bounded_memory()
    {
        var random = new Random(Seed);
        var original = File.ReadAllText(LabCluster.File);
        using var directory = new TemporaryDirectory();
        var file = directory.Combine("cluster.yaml");
        var exits = new Dictionary<int, int>();
        long largestAllocation = 0;
        var workingSetBefore = WorkingSet();
        var clock = Stopwatch.StartNew();
        var cases = 0;
        for (; cases < MaxCases && clock.Elapsed < Budget; cases++)
        {
            var mutated = Mutate(original, random);
            var fromStandardInput = cases % 4 == 0;
            if (!fromStandardInput)
            {
                File.WriteAllText(file, mutated);
            }

            // The test runs alone (its collection is not parallel), so what the process allocates is this case's work.
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var (exitCode, _, error) = fromStandardInput
                ? await CliRun.RunWithInputAsync(mutated, null, "validate", "-f", "-")
                : await CliRun.RunAsync("validate", "-f", file);
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            largestAllocation = Math.Max(largestAllocation, allocated);

            var context = string.Create(CultureInfo.InvariantCulture, $"case {cases} (seed {Seed}): exit {exitCode}, {allocated} bytes\n{Excerpt(error)}\n--- input ---\n{Excerpt(mutated)}");
            Assert.True(exitCode is 0 or 2, context);
            Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
            Assert.True(allocated < MaxAllocatedBytesPerCase, context);
            exits[exitCode] = exits.GetValueOrDefault(exitCode) + 1;
        }

        var growth = WorkingSet() - workingSetBefore;
        log.WriteLine($"{cases} cases in {clock.Elapsed}; exit codes {string.Join(", ", exits.OrderBy(e => e.Key))}; largest allocation {largestAllocation} bytes; working set grew {growth} bytes");
        Assert.True(cases >= 200, $"only {cases} cases ran in {Budget}");
        Assert.True(exits.GetValueOrDefault(0) > 0 && exits.GetValueOrDefault(2) > 0, $"exit codes: {string.Join(", ", exits)}");
        // Validation allocates megabytes per case; a much smaller figure would mean the measure missed the work.
        Assert.True(largestAllocation > 1024 * 1024, $"largest allocation {largestAllocation} bytes");
        Assert.True(growth < MaxWorkingSetGrowth, $"working set grew by {growth} bytes over {cases} cases");
    }

    private static string Mutate(string text, Random random)
    {
        var steps = random.Next(1, 4);
        for (var i = 0; i < steps; i++)
        {
            text = random.Next(12) switch
            {
                0 => Lines(text, random, (lines, n) => lines.RemoveAt(n)),
                1 => Lines(text, random, (lines, n) => lines.Insert(n, lines[n])),
                2 => Lines(text, random, (lines, n) => (lines[n], lines[0]) = (lines[0], lines[n])),
                3 => Lines(text, random, (lines, n) => lines[n] = new string(' ', random.Next(0, 4)) + lines[n].TrimStart()),
                4 => Lines(text, random, (lines, n) => lines[n] = Typo(lines[n], random)),
                5 => Lines(text, random, (lines, n) => lines[n] = ReplaceValue(lines[n], Interesting[random.Next(Interesting.Length)])),
                6 => Lines(text, random, (lines, n) => lines.InsertRange(n, lines.Skip(n).Take(random.Next(1, 8)).ToList())),
                7 => text.Insert(random.Next(text.Length + 1), ((char)random.Next(32, 127)).ToString()),
                8 => text[..random.Next(text.Length + 1)],
                9 => text + "---\n" + text[..random.Next(text.Length + 1)],
                10 => AliasBomb(text, random.Next(2, 9)),
                _ => Lines(text, random, (lines, n) => lines.Insert(n, new string(' ', 2 * random.Next(0, 4)) + "x" + random.Next(10) + ": " + Interesting[random.Next(Interesting.Length)])),
            };
        }

        return text;
    }

    private static string Lines(string text, Random random, Action<List<string>, int> change)
    {
        var lines = text.Split('\n').ToList();
        change(lines, random.Next(lines.Count));
        return string.Join('\n', lines);
    }

    private static string Typo(string line, Random random)
    {
        if (line.Length == 0)
        {
            return line;
        }

        var at = random.Next(line.Length);
        return random.Next(2) == 0 ? line.Remove(at, 1) : line.Insert(at, line[at].ToString());
    }

    private static string ReplaceValue(string line, string value)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? line + " " + value : line[..(colon + 2)] + value;
    }

    private static string AliasBomb(string text, int levels)
    {
        var bomb = new StringBuilder("  kubelet:\n    configPatch:\n      x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (var i = 1; i < levels; i++)
        {
            bomb.Append(CultureInfo.InvariantCulture, $"      x{i}: &x{i} [{string.Join(", ", Enumerable.Repeat($"*x{i - 1}", 10))}]\n");
        }

        return text.Replace("  stateDirectory:", bomb + "  stateDirectory:", StringComparison.Ordinal);
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static string Excerpt(string text) => text.Length <= 2000 ? text : text[..2000] + $"… ({text.Length - 2000} more characters)";
}
