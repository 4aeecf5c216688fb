namespace NetBet.Data.Cluster;

/// <summary>
/// The usual test-assembly setup over <see cref="ScratchDatabases"/>: one server for the run, one template migrated
/// once (to <paramref name="migrateTo"/>, or all migrations when null), and a fresh database per caller, cloned from
/// the template or empty. A test project derives a one-line fixture that adds xunit's <c>IAsyncLifetime</c>, whose
/// members this class already has: <c>public sealed class DatabaseFixture() : ScratchDatabaseFixture("x"), IAsyncLifetime;</c>.
/// </summary>
/// <param name="prefix">Prefix of every database name made, such as <c>netbet_test</c>.</param>
/// <param name="migrateTo">The migration the template stops at; null for the latest schema.</param>
public class ScratchDatabaseFixture(string prefix, string? migrateTo = null) : IAsyncDisposable
{
    private ScratchDatabases? _server;
    private string? _template;

    /// <summary>Starts the server and migrates the template.</summary>
    public async ValueTask InitializeAsync()
    {
        _server = await ScratchDatabases.StartAsync(prefix, CancellationToken.None);
        _template = await _server.CreateTemplateAsync(migrateTo, CancellationToken.None);
    }

    /// <summary>A new database, a clone of the migrated template or empty; returns its connection string.</summary>
    /// <param name="migrated">Clone the template (true) or create an empty database (false).</param>
    /// <param name="cancellationToken">Cancels the creation.</param>
    public Task<string> CreateDatabaseAsync(bool migrated, CancellationToken cancellationToken) =>
        (_server ?? throw new InvalidOperationException("call InitializeAsync first")).CreateAsync(migrated ? _template : null, cancellationToken);

    /// <summary>Removes the server's scratch databases (or the throwaway cluster).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
