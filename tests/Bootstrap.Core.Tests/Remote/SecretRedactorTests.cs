using System.Text;
using Bootstrap.Core.Remote;

namespace Bootstrap.Core.Tests.Remote;

public sealed class SecretRedactorTests
{
    private const string Mask = SecretRedactor.Mask;

    [Fact]
    public void Every_occurrence_of_a_secret_and_of_each_line_of_a_multi_line_secret_is_masked()
    {
        var redactor = new SecretRedactor();
        redactor.Register("s3cret-token");
        redactor.Register("-----BEGIN KEY-----\nAAAAline-one\nBBBBline-two\n-----END KEY-----");

        Assert.Equal($"a {Mask} b {Mask}.", redactor.Redact("a s3cret-token b s3cret-token."));
        Assert.Equal($"key: {Mask} then {Mask}", redactor.Redact("key: BBBBline-two then AAAAline-one"));
    }

    [Fact]
    public void Overlapping_secrets_are_masked_whole_under_one_mask_and_adjacent_ones_each_under_its_own()
    {
        var redactor = new SecretRedactor();
        redactor.Register("abcdefgh");
        redactor.Register("defghijk");

        Assert.Equal($"xx{Mask}yy", redactor.Redact("xxabcdefghijkyy"));
        Assert.Equal($"{Mask}{Mask}", redactor.Redact("abcdefghdefghijk"));
    }

    [Fact]
    public void A_text_without_a_secret_comes_back_as_it_was()
    {
        var redactor = new SecretRedactor();
        redactor.Register("s3cret-token");
        var text = "nothing to hide here, not even s3cret-toke";

        Assert.Same(text, redactor.Redact(text));
        Assert.Equal(string.Empty, redactor.Redact(null));
    }

    [Fact]
    public void A_secret_registered_after_a_text_was_masked_is_masked_in_the_next_one()
    {
        var redactor = new SecretRedactor();
        redactor.Register("first-secret");
        Assert.Equal($"{Mask} second-secret", redactor.Redact("first-secret second-secret"));

        redactor.Register("second-secret");

        Assert.Equal($"{Mask} {Mask}", redactor.Redact("first-secret second-secret"));
    }

    [Fact]
    public void Masks_exactly_what_every_occurrence_of_every_secret_covers_on_random_texts()
    {
        var random = new Random(20261203);
        for (var round = 0; round < 500; round++)
        {
            var secrets = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Word(random, random.Next(4, 9))).Distinct().ToList();
            var redactor = new SecretRedactor();
            secrets.ForEach(redactor.Register);
            var text = Word(random, random.Next(0, 80));

            var masked = redactor.Redact(text);

            Assert.Equal(Reference(text, secrets), masked);
            Assert.DoesNotContain(secrets, s => masked.Contains(s, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Thousands_of_key_lines_mask_a_long_text_in_one_pass()
    {
        var redactor = new SecretRedactor();
        var random = new Random(7);
        var lines = Enumerable.Range(0, 2000).Select(_ => Word(random, 64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")).ToList();
        redactor.Register(string.Join('\n', lines));
        var text = string.Concat(Enumerable.Repeat("stat -c '%f %U %G' -- /etc/kubernetes/pki/apiserver.crt ", 2000)) + lines[1234];

        var masked = redactor.Redact(text);

        Assert.EndsWith(" " + Mask, masked, StringComparison.Ordinal);
        Assert.Equal(text.Length - 64 + Mask.Length, masked.Length);
    }

    /// <summary>Every occurrence of every secret, overlapping ones merged into one stretch, each stretch replaced by the mask.</summary>
    private static string Reference(string text, IReadOnlyList<string> secrets)
    {
        var occurrences = new List<(int Start, int End)>();
        foreach (var secret in secrets)
        {
            for (var i = text.IndexOf(secret, StringComparison.Ordinal); i >= 0; i = text.IndexOf(secret, i + 1, StringComparison.Ordinal))
            {
                occurrences.Add((i, i + secret.Length));
            }
        }

        var output = new StringBuilder();
        var copied = 0;
        (int Start, int End)? stretch = null;
        foreach (var (start, end) in occurrences.OrderBy(o => o.Start))
        {
            if (stretch is { } open && start < open.End)
            {
                stretch = (open.Start, Math.Max(open.End, end));
                continue;
            }

            if (stretch is { } done)
            {
                output.Append(text, copied, done.Start - copied).Append(Mask);
                copied = done.End;
            }

            stretch = (start, end);
        }

        if (stretch is { } last)
        {
            output.Append(text, copied, last.Start - copied).Append(Mask);
            copied = last.End;
        }

        return output.Append(text, copied, text.Length - copied).ToString();
    }

    private static string Word(Random random, int length, string alphabet = "abc") =>
        new([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]);
}
