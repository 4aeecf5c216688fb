using System.CommandLine;

namespace NetBet.Cli.Exchange;

/// <summary><c>netbet exchange</c>: tools around the Betfair exchange.</summary>
internal sealed class ExchangeCommand : Command
{
    public ExchangeCommand()
        : base("exchange", """
            A fake Betfair exchange for trying NetBet without an account.

            Example:
              ./netbet exchange simulate --port 5057 --markets 60
            """)
    {
        Subcommands.Add(new SimulateCommand());
    }
}
