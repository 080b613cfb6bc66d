using Bootstrap.Cli;

return await BootstrapCli.RunAsync(args).ConfigureAwait(false);
