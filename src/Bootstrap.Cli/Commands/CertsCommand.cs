using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bootstrap.Core.Config;
using Bootstrap.Core.Install;
using Bootstrap.Core.Pki;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// `bootstrap certs …`: lifecycle of the PKI kept in a state directory. Exit codes: 0 ok,
/// 1 failure or something expiring inside the threshold, 2 bad input.
/// </summary>
internal static partial class CertsCommand
{
    public static Command Create(TimeProvider time, ClusterFileInput files)
    {
        var certs = new Command("certs", "Inspect and renew the cluster's certificates in its local state directory.");
        certs.Subcommands.Add(Generate(time, files));
        certs.Subcommands.Add(CheckExpiration(time, files));
        certs.Subcommands.Add(Renew(time, files));
        return certs;
    }

    private static Option<string> StateDirOption()
    {
        var option = new Option<string>("--state-dir") { Description = "The cluster's state directory (holds pki/, kubeconfigs and request.json)." };

        // An empty value (`--state-dir "$STATE"` with STATE unset) is a mistake, never "the cluster file's directory".
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string>() is { } value && string.IsNullOrWhiteSpace(value))
            {
                result.AddError($"--state-dir {InputQuote.Quote(value)} names no directory; give the cluster's state directory, or leave --state-dir out to use the cluster file's stateDirectory");
            }
        });
        return option;
    }

    private static Option<string> FileOption(bool required) =>
        new("--file", "-f")
        {
            Description = ClusterFileInput.FileDescription + (required ? string.Empty : " Its stateDirectory is used unless --state-dir is given."),
            Required = required,
        };

    private static Option<string> OutputOption()
    {
        var output = new Option<string>("--output", "-o") { Description = "Output format: text or json.", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        return output;
    }

    /// <summary>
    /// --state-dir when given, else the cluster file's stateDirectory, if it holds a generated PKI;
    /// null (after saying why) otherwise.
    /// </summary>
    private static string? ExistingStateDirectory(ClusterFileInput files, ParseResult parse, Option<string> file, Option<string> stateDir, TextWriter error)
    {
        string? directory = null;
        var path = parse.GetValue(file);
        if (parse.GetValue(stateDir) is { Length: > 0 } explicitDirectory)
        {
            directory = Path.GetFullPath(explicitDirectory);
        }
        else if (path is { Length: > 0 })
        {
            directory = files.Load(path, error)?.StateDirectory;
        }
        else
        {
            error.WriteLine("Give the cluster file (-f cluster.yaml) or --state-dir.");
        }

        return directory is not null && HasState(directory, path, error) ? directory : null;
    }

    private static Command CheckExpiration(TimeProvider time, ClusterFileInput files)
    {
        var file = FileOption(required: false);
        var stateDir = StateDirOption();
        var output = OutputOption();
        var threshold = new Option<string>("--threshold")
        {
            Description = "Exit 1, naming them on standard error, when certificates expire within this time (e.g. 30d, 12h).",
            DefaultValueFactory = _ => "30d",
        };
        var command = new Command("check-expiration", "List every certificate with its expiry, residual time, signing CA and whether it is externally managed.")
        {
            file, stateDir, output, threshold,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var format = parse.GetValue(output);
            if (!TryParseDuration(parse.GetValue(threshold), out var limit))
            {
                await error.WriteLineAsync($"--threshold {InputQuote.Quote(parse.GetValue(threshold) ?? string.Empty)} must be a number followed by d, h, m or s (e.g. 30d), at most {MaxThresholdDays}d (100 years).").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (ExistingStateDirectory(files, parse, file, stateDir, error) is not { } directory)
            {
                return ExitCodes.BadInput;
            }

            return await PkiErrorsAsExitCodesAsync(error, async () =>
            {
                var report = await new PkiManager(time).CheckExpirationAsync(directory, cancellationToken).ConfigureAwait(false);
                var failing = report.Where(e => WithinThreshold(e, limit)).ToList();
                var writer = parse.InvocationConfiguration.Output;
                if (format == "json")
                {
                    await writer.WriteLineAsync(JsonSerializer.Serialize(ToJson(report, limit), CliJson.Serializer)).ConfigureAwait(false);
                }
                else
                {
                    await WriteTableAsync(writer, report).ConfigureAwait(false);
                }

                if (failing.Count == 0)
                {
                    return ExitCodes.Success;
                }

                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{failing.Count} of {report.Count} certificates expire within the threshold {parse.GetValue(threshold)}: {string.Join(", ", failing.Select(e => $"{e.Name} ({Residual(e)})"))}"))
                    .ConfigureAwait(false);
                if (failing.Any(e => e.Damaged))
                {
                    // A damaged file is not a missing one: it is there, holding something else than a certificate.
                    await error.WriteLineAsync(
                        $"damaged (in {directory}, but holding no PEM certificate): {string.Join(", ", failing.Where(e => e.Damaged).Select(e => e.Name))}; "
                        + "`bootstrap certs renew NAME` re-issues a leaf; a CA must be restored from a backup of the state directory, or the state pulled again with `bootstrap state pull`")
                        .ConfigureAwait(false);
                }

                return ExitCodes.Failure;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Generate(TimeProvider time, ClusterFileInput files)
    {
        var file = FileOption(required: true);
        var stateDir = StateDirOption();
        var output = OutputOption();
        var command = new Command("generate", "Create the cluster's PKI (CAs, certificates, service-account keys, kubeconfigs) in its local state directory; touches no host. Existing CAs are always reused; leaves are re-issued only when missing, stale or no longer matching the cluster file.")
        {
            file, stateDir, output,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var format = parse.GetValue(output);
            if (files.Load(parse.GetValue(file)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            var directory = parse.GetValue(stateDir) is { Length: > 0 } overridden ? Path.GetFullPath(overridden) : config.StateDirectory;
            return await PkiErrorsAsExitCodesAsync(error, async () =>
            {
                using var held = StateRunLock.Acquire(directory, "bootstrap certs generate", create: true, time);
                var plan = await StatePlan.CreateAsync(config with { StateDirectory = directory }, time, cancellationToken).ConfigureAwait(false);
                var written = await plan.CommitAsync(cancellationToken).ConfigureAwait(false);
                var items = plan.Pki.Items
                    .Concat(plan.Secrets.Select(s => new PkiChange(Path.GetFileName(s.Path), PkiChangeAction.Created, "a new cluster state")))
                    .ToList();
                var changes = new PkiChanges(items, written);
                var writer = parse.InvocationConfiguration.Output;
                if (format == "json")
                {
                    await writer.WriteLineAsync(ChangesJson(directory, changes)).ConfigureAwait(false);
                }
                else
                {
                    foreach (var item in changes.Items)
                    {
                        var reason = item.Reason is null ? string.Empty : " (" + item.Reason + ")";
                        await writer.WriteLineAsync($"[certs] {item.Name}: {item.Action.ToString().ToLowerInvariant()}{reason}").ConfigureAwait(false);
                    }

                    await writer.WriteLineAsync($"[certs] {(changes.Changed ? changes.WrittenFiles.Count + " file(s) written" : "nothing changed")} in {directory}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Renew(TimeProvider time, ClusterFileInput files)
    {
        var file = FileOption(required: false);
        var stateDir = StateDirOption();
        var output = OutputOption();
        var name = new Argument<string>("name") { Description = "A certificate or kubeconfig name (e.g. apiserver, etcd-server, etcd-server/cp1, admin.conf), or all.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("renew", "Re-issue leaf certificates and kubeconfigs with new keys from the existing CAs (local state only).") { name, file, stateDir, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var target = parse.GetValue(name);
            if (string.IsNullOrWhiteSpace(target))
            {
                await error.WriteLineAsync("Name what to renew: a certificate name or all.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (ExistingStateDirectory(files, parse, file, stateDir, error) is not { } directory)
            {
                return ExitCodes.BadInput;
            }

            return await PkiErrorsAsExitCodesAsync(error, async () =>
            {
                using var held = StateRunLock.Acquire(directory, "bootstrap certs renew " + target, create: false, time);
                var changes = await new PkiManager(time).RenewAsync(directory, target, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(output) == "json")
                {
                    await parse.InvocationConfiguration.Output.WriteLineAsync(ChangesJson(directory, changes)).ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                foreach (var item in changes.Items)
                {
                    await parse.InvocationConfiguration.Output.WriteLineAsync($"[renew] {item.Name}: {item.Action.ToString().ToLowerInvariant()}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>An invalid request or name is bad input (2); a state that is inconsistent or cannot be written is a failure (1). Each says why in one line.</summary>
    private static async Task<int> PkiErrorsAsExitCodesAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.BadInput;
        }
        catch (PkiStateException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The state directory's own errors are PkiStateExceptions; anything else the file system says is still one line.
            await error.WriteLineAsync($"the state directory cannot be used: {(e is UnauthorizedAccessException ? "permission denied" : e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    /// <summary>What generate and renew did, as JSON: the state directory, whether anything changed, and each item with its action and reason.</summary>
    private static string ChangesJson(string directory, PkiChanges changes) => JsonSerializer.Serialize(
        new
        {
            stateDirectory = directory,
            changed = changes.Changed,
            items = changes.Items.Select(i => new { name = i.Name, action = i.Action.ToString().ToLowerInvariant(), reason = i.Reason }),
        },
        CliJson.Serializer);

    private static bool HasState(string directory, string? file, TextWriter error)
    {
        if (File.Exists(directory))
        {
            error.WriteLine($"{directory} is a file, not a state directory; give the directory that holds pki/ and {PkiStateDirectory.RequestFile}.");
            return false;
        }

        // A directory in place of request.json is not "no PKI": reading it says which file is in the way.
        var request = Path.Combine(directory, PkiStateDirectory.RequestFile);
        if (!File.Exists(request) && !Directory.Exists(request))
        {
            var cluster = file is { Length: > 0 } ? file : "CLUSTER.yaml";
            error.WriteLine($"no PKI has been generated in {directory} yet ({PkiStateDirectory.RequestFile} is missing); run `bootstrap certs generate -f {cluster}` first.");
            return false;
        }

        return true;
    }

    private static bool WithinThreshold(CertificateExpiry entry, TimeSpan threshold) => entry.Residual is null || entry.Residual <= threshold;

    /// <summary>The longest <c>--threshold</c>: the longest validity a cluster file may give a certificate.</summary>
    internal const int MaxThresholdDays = 36500;

    internal static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = text is null ? null : DurationPattern().Match(text);
        if (match is null || !match.Success)
        {
            return false;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "d" => TimeSpan.FromDays(1),
            "h" => TimeSpan.FromHours(1),
            "m" => TimeSpan.FromMinutes(1),
            _ => TimeSpan.FromSeconds(1),
        };

        // No certificate lives longer than 100 years (the cluster file's limit); a larger number overflowed TimeSpan.
        if (value > TimeSpan.FromDays(MaxThresholdDays) / unit)
        {
            return false;
        }

        duration = unit * value;
        return true;
    }

    private static object ToJson(IReadOnlyList<CertificateExpiry> report, TimeSpan threshold) => new
    {
        thresholdSeconds = (long)threshold.TotalSeconds,
        certificates = report.Select(e => new
        {
            name = e.Name,
            kind = e.Kind.ToString().ToLowerInvariant(),
            expires = e.ExpiresAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            residualSeconds = e.Residual is { } r ? (long?)r.TotalSeconds : null,
            residual = Residual(e),
            damaged = e.Damaged,
            signingCa = e.SigningCa,
            externallyManaged = e.ExternallyManaged,
            expiresWithinThreshold = WithinThreshold(e, threshold),
        }),
    };

    private static async Task WriteTableAsync(TextWriter writer, IReadOnlyList<CertificateExpiry> report)
    {
        const string Row = "{0,-26} {1,-24} {2,-14} {3,-16} {4}";
        await writer.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, Row, "CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "SIGNING CA", "EXTERNALLY MANAGED")).ConfigureAwait(false);
        foreach (var entry in report)
        {
            await writer.WriteLineAsync(string.Format(
                CultureInfo.InvariantCulture,
                Row,
                entry.Name,
                entry.ExpiresAt?.ToString("MMM dd, yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? Residual(entry),
                Residual(entry),
                entry.SigningCa ?? "-",
                entry.ExternallyManaged ? "yes" : "no")).ConfigureAwait(false);
        }
    }

    private static string Residual(CertificateExpiry entry) => entry.Residual switch
    {
        null => entry.Damaged ? "damaged" : "missing",
        { } r when r <= TimeSpan.Zero => "expired",
        { } r when r.TotalDays >= 1 => $"{(int)r.TotalDays}d",
        { } r => $"{(int)r.TotalHours}h",
    };

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([dhms])$")]
    private static partial Regex DurationPattern();
}
