using System.CommandLine;
using System.Text.Json;
using Bootstrap.Core.Config;
using Bootstrap.Core.Kubernetes;
using Bootstrap.Core.Phases.Nodes;
using Bootstrap.Core.Pki;
using k8s.Autorest;
using k8s.Exceptions;

namespace Bootstrap.Cli.Commands;

/// <summary>
/// <c>bootstrap token create|list|delete -f cluster.yaml</c>: kubeadm's bootstrap tokens, managed through the API
/// with the cluster state's admin.conf (as the node phases do). Only <c>create</c> ever prints a secret, on
/// standard output; errors and lists name tokens by id. Exit codes: 0 ok, 1 the API failed or a token is
/// unknown, 2 bad input (nothing contacted).
/// </summary>
internal static class TokenCommand
{
    public static Command Create(TimeProvider time, ClusterFileInput files)
    {
        var token = new Command("token", "Manage bootstrap tokens (kubeadm's Secrets in kube-system) with the cluster state's admin.conf.");
        token.Subcommands.Add(CreateToken(time, files));
        token.Subcommands.Add(List(time, files));
        token.Subcommands.Add(Delete(files));
        return token;
    }

    private static Option<string> FileOption() => new("--file", "-f") { Description = ClusterFileInput.FileDescription, Required = true };

    private static Command CreateToken(TimeProvider time, ClusterFileInput files)
    {
        var file = FileOption();
        var ttl = new Option<string>("--ttl")
        {
            Description = "How long the token is valid: a Go duration (24h, 1h30m, 90s); 0 never expires.",
            DefaultValueFactory = _ => "24h",
        };
        var description = new Option<string>("--description") { Description = "A human-readable description of the token's purpose.", DefaultValueFactory = _ => string.Empty };
        var groups = new Option<string[]>("--groups")
        {
            Description = "Extra groups the token authenticates as, each system:bootstrappers:…; comma-separated or repeated (default: "
                + KubeadmObjectNames.NodeBootstrapTokenGroup + ").",
            AllowMultipleArgumentsPerToken = false,
        };
        var printJoin = new Option<bool>("--print-join-command") { Description = "Print the whole `kubeadm join` command instead of the token alone." };
        var command = new Command("create", "Create a bootstrap token (usable for authentication and signing) and print it on standard output.")
        {
            file, ttl, description, groups, printJoin,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!TokenArguments.TryParseTtl(parse.GetValue(ttl), out var lifetime, out var problem)
                || !TokenArguments.TryParseGroups(parse.GetValue(groups) ?? [], out var extraGroups, out problem))
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (files.Load(parse.GetValue(file)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            return await ApiAsync(config, error, cancellationToken, async api =>
            {
                var hash = parse.GetValue(printJoin) ? await PkiManager.GetCaCertHashAsync(config.StateDirectory, cancellationToken).ConfigureAwait(false) : null;
                var created = BootstrapToken.Generate();
                await api.CreateSecretAsync(created.ToSecret(time, lifetime, parse.GetValue(description) ?? string.Empty, extraGroups), cancellationToken)
                    .ConfigureAwait(false);
                var line = hash is null ? created.Value : TokenOutput.JoinCommand(ClusterAddresses.ControlPlaneHostPort(config), created, hash);
                await parse.InvocationConfiguration.Output.WriteLineAsync(line).ConfigureAwait(false);
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command List(TimeProvider time, ClusterFileInput files)
    {
        var file = FileOption();
        var output = new Option<string>("--output", "-o") { Description = "text (kubeadm's table) or json (one array of token objects).", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        var command = new Command("list", "List the bootstrap tokens by id (never their secrets): TTL, expiry, usages, description, extra groups.") { file, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (files.Load(parse.GetValue(file)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            return await ApiAsync(config, error, cancellationToken, async api =>
            {
                var tokens = new List<BootstrapTokenInfo>();
                foreach (var secret in (await api.BootstrapTokenSecretsAsync(cancellationToken).ConfigureAwait(false)).OrderBy(s => s.Metadata?.Name, StringComparer.Ordinal))
                {
                    if (BootstrapTokenInfo.FromSecret(secret, out var problem) is { } info)
                    {
                        tokens.Add(info);
                    }
                    else
                    {
                        await error.WriteLineAsync("skipped: " + problem).ConfigureAwait(false);
                    }
                }

                var now = time.GetUtcNow();
                await parse.InvocationConfiguration.Output.WriteAsync(parse.GetValue(output) == "json" ? TokenOutput.Json(tokens, now) : TokenOutput.Table(tokens, now))
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Delete(ClusterFileInput files)
    {
        var file = FileOption();
        var tokens = new Argument<string[]>("token") { Description = "Token ids (abcdef) or whole tokens (abcdef.0123456789abcdef).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("delete", "Delete bootstrap tokens (their bootstrap-token-<id> Secrets).") { file, tokens };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            if (!TokenArguments.TryParseIds(parse.GetValue(tokens) ?? [], out var ids, out var problem))
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            if (files.Load(parse.GetValue(file)!, error) is not { } config)
            {
                return ExitCodes.BadInput;
            }

            return await ApiAsync(config, error, cancellationToken, async api =>
            {
                var exitCode = ExitCodes.Success;
                foreach (var id in ids)
                {
                    if (await api.DeleteSecretIfExistsAsync(KubeadmObjectNames.BootstrapTokenSecretPrefix + id, KubeadmObjectNames.KubeSystem, cancellationToken).ConfigureAwait(false))
                    {
                        await parse.InvocationConfiguration.Output.WriteLineAsync($"bootstrap token \"{id}\" deleted").ConfigureAwait(false);
                    }
                    else
                    {
                        await error.WriteLineAsync($"bootstrap token \"{id}\" not found (no Secret {KubeadmObjectNames.BootstrapTokenSecretPrefix}{id} in {KubeadmObjectNames.KubeSystem})")
                            .ConfigureAwait(false);
                        exitCode = ExitCodes.Failure;
                    }
                }

                return exitCode;
            }).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Runs <paramref name="action"/> with the state's API client; a missing state or an API that fails or refuses is exit 1, said in one line.</summary>
    private static async Task<int> ApiAsync(ClusterConfig config, TextWriter error, CancellationToken cancellationToken, Func<ClusterApi, Task<int>> action)
    {
        var endpoint = ClusterAddresses.ApiServerUrl(config);
        try
        {
            using var api = await ClusterApi.FromStateAsync(config.StateDirectory, cancellationToken).ConfigureAwait(false);
            return await action(api).ConfigureAwait(false);
        }
        catch (PkiStateException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            await error.WriteLineAsync($"the API at {endpoint} answered {(int)e.Response.StatusCode} {e.Response.StatusCode}: {StatusMessage(e.Response.Content) ?? e.Response.ReasonPhrase}")
                .ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"cannot reach the API at {endpoint}: {e.Message}").ConfigureAwait(false);
        }
        catch (KubeConfigException e)
        {
            await error.WriteLineAsync($"the admin.conf of the cluster state in {config.StateDirectory} is not usable: {e.Message}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("cancelled").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"the API at {endpoint} did not answer in time").ConfigureAwait(false);
        }

        return ExitCodes.Failure;
    }

    /// <summary>The message of a Kubernetes Status body (e.g. "secrets is forbidden: …"), or null when the body is not one.</summary>
    internal static string? StatusMessage(string? content)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(content);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String
                    ? message.GetString()
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
