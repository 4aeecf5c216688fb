using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetBet.Data.Cluster;

/// <summary>
/// What later commands need to reach a private cluster: its port, superuser and password, and the password of the
/// web app's read-only login (<see cref="ReaderRole.WebLogin"/>), generated on first use (absent in older files).
/// </summary>
internal sealed record ClusterState(
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("superuser")] string Superuser,
    [property: JsonPropertyName("password")] string Password,
    [property: JsonPropertyName("reader_password")] string? ReaderPassword = null);

/// <summary>Reads and writes <c>cluster.json</c>, readable by its owner only (mode 0600): it holds the password.</summary>
internal static class ClusterStateFile
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public static ClusterState? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ClusterState>(File.ReadAllText(path), Options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new DatabaseUnavailableException($"{path} is not valid JSON ({e.Message}): fix it, or delete its directory to start over", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DatabaseUnavailableException($"cannot read {path}: it belongs to another user (run netbet as that user, or set NETBET_DB)", e);
        }
    }

    public static void Write(string path, ClusterState state)
    {
        var temporary = path + ".tmp";
        WritePrivate(temporary, JsonSerializer.Serialize(state, Options));
        File.Move(temporary, path, overwrite: true);
    }

    public static void WritePrivate(string path, string text)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}

/// <summary>An exclusive lock on a file, held across processes while a cluster is created, started or stopped.</summary>
internal sealed class ClusterLock : IAsyncDisposable
{
    private readonly FileStream _stream;

    private ClusterLock(FileStream stream) => _stream = stream;

    public static async Task<ClusterLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Unix.
                return new ClusterLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
            catch (IOException e)
            {
                throw new DatabaseUnavailableException($"another netbet process has held {path} for over {timeout.TotalSeconds:0} s", e);
            }
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
