using System.CommandLine;

namespace NetBet.Cli.Compute;

/// <summary><c>netbet compute [FILE|-]</c>: runs the metric engine over snapshot documents and prints one JSON line each.</summary>
internal sealed class ComputeCommand : Command
{
    public ComputeCommand()
        : base("compute", """
            Compute derived metric rows from snapshot documents, one JSON line out per document in.
            Input: JSON lines of {"marketBook": {...}, "roles": {"<selectionId>": "HOME"|"AWAY"|"DRAW"}},
            or one JSON document, or a JSON array of them. Output per input: the derived row keyed by column name,
            {"skipped": "<reason>"} or {"error": "<what, at which JSON path>"}. Exit 2 when any input had an error.

            Example:
              ./netbet compute ../shared/data/reference/cases/gen_0001.json
              cat snapshots.jsonl | ./netbet compute -
            """)
    {
        Arguments.Add(Input);
        SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(Input), cancellationToken));
    }

    public Argument<string?> Input { get; } = new("FILE")
    {
        Description = "File of snapshot documents; '-' or nothing reads standard input.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private static async Task<int> RunAsync(string? path, CancellationToken cancellationToken)
    {
        byte[] input;
        if (path is null or "-")
        {
            using var buffer = new MemoryStream();
            await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
            input = buffer.ToArray();
        }
        else
        {
            try
            {
                input = await File.ReadAllBytesAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"netbet compute: cannot read {path}: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }

        await using var stdout = Console.OpenStandardOutput();
        var errors = ComputeRunner.Run(input, stdout);
        return errors == 0 ? ExitCodes.Success : ExitCodes.InvalidInput;
    }
}
