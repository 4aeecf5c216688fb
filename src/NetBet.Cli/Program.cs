using NetBet.Cli;

return await NetBetCommand.RunAsync(args);
