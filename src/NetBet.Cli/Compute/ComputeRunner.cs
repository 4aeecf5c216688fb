using System.Text.Json;
using NetBet.Core.Books;
using NetBet.Core.Metrics;

namespace NetBet.Cli.Compute;

/// <summary>
/// Splits compute input into snapshot documents and writes one result line per document. JSON lines are read line
/// by line so one malformed line is reported with its number and the rest still run; anything else is read as a
/// sequence of JSON documents, where an array stands for its elements.
/// </summary>
internal static class ComputeRunner
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Writes one line per document to <paramref name="output"/> and returns the number of error lines.</summary>
    public static int Run(ReadOnlySpan<byte> input, Stream output)
    {
        var writer = new Utf8JsonWriter(output, WriterOptions);
        var errors = IsJsonLines(input) ? RunLines(input, writer, output) : RunDocuments(input, writer, output);
        writer.Flush();
        return errors;
    }

    private static int RunLines(ReadOnlySpan<byte> input, Utf8JsonWriter writer, Stream output)
    {
        var errors = 0;
        var lineNumber = 0;
        while (!input.IsEmpty)
        {
            lineNumber++;
            var end = input.IndexOf((byte)'\n');
            var line = end < 0 ? input : input[..end];
            input = end < 0 ? [] : input[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var reader = new Utf8JsonReader(line);
            try
            {
                reader.Read();
                var document = SnapshotDocumentReader.Read(ref reader);
                if (reader.Read())
                {
                    throw new MarketBookFormatException("unexpected content after the document", "$");
                }

                WriteResult(writer, output, document);
            }
            catch (MarketBookFormatException e)
            {
                errors++;
                WriteError(writer, output, $"line {lineNumber}: {e.Message}");
            }
            catch (JsonException e)
            {
                errors++;
                WriteError(writer, output, $"line {lineNumber}: invalid JSON ({FirstSentence(e.Message)})");
            }
        }

        return errors;
    }

    private static int RunDocuments(ReadOnlySpan<byte> input, Utf8JsonWriter writer, Stream output)
    {
        var errors = 0;
        var reader = new Utf8JsonReader(input, new JsonReaderOptions { AllowMultipleValues = true });
        var documentNumber = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    var index = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        errors += RunOne(ref reader, writer, output, $"$[{index++}]");
                    }
                }
                else
                {
                    errors += RunOne(ref reader, writer, output, documentNumber == 0 ? "$" : $"document {documentNumber + 1}: $");
                }

                documentNumber++;
            }
        }
        catch (JsonException e)
        {
            // A syntax error leaves no safe place to resume: report it once and stop.
            errors++;
            WriteError(writer, output, $"invalid JSON ({FirstSentence(e.Message)})");
        }

        return errors;
    }

    private static int RunOne(ref Utf8JsonReader reader, Utf8JsonWriter writer, Stream output, string path)
    {
        var start = reader;
        try
        {
            WriteResult(writer, output, SnapshotDocumentReader.Read(ref reader, path));
            return 0;
        }
        catch (MarketBookFormatException e)
        {
            WriteError(writer, output, e.Message);
            // Resume after the bad document so the next one starts clean.
            reader = start;
            reader.Skip();
            return 1;
        }
    }

    private static void WriteResult(Utf8JsonWriter writer, Stream output, SnapshotDocument document)
    {
        var result = MetricEngine.Compute(document.Book, document.Roles);
        if (result.Row is { } row)
        {
            DerivedRowJson.Write(writer, row);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteString("skipped", result.Skip!.Value.Describe());
            writer.WriteEndObject();
        }

        EndLine(writer, output);
    }

    private static void WriteError(Utf8JsonWriter writer, Stream output, string message)
    {
        writer.WriteStartObject();
        writer.WriteString("error", message);
        writer.WriteEndObject();
        EndLine(writer, output);
    }

    private static void EndLine(Utf8JsonWriter writer, Stream output)
    {
        writer.Flush();
        output.WriteByte((byte)'\n');
        writer.Reset(output);
    }

    // JSON lines when the first non-blank line is a complete JSON object on its own.
    private static bool IsJsonLines(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            var end = input.IndexOf((byte)'\n');
            var line = end < 0 ? input : input[..end];
            input = end < 0 ? [] : input[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            var reader = new Utf8JsonReader(line);
            try
            {
                return reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.TrySkip() && !reader.Read();
            }
            catch (JsonException)
            {
                return false;
            }
        }

        return false;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
