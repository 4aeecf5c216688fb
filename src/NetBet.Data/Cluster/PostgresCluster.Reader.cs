using System.Security.Cryptography;
using Npgsql;

namespace NetBet.Data.Cluster;

/// <summary>The web app's read-only login in a private cluster.</summary>
public sealed partial class PostgresCluster
{
    /// <summary>
    /// The connection string of <paramref name="database"/> as <see cref="ReaderRole.WebLogin"/>, a login in
    /// <see cref="ReaderRole.Name"/>. Its password is generated once and kept in <c>cluster.json</c> beside the
    /// superuser's; the role is created or brought in line with it on every call. The cluster must be running.
    /// Like <see cref="GetConnectionString"/>, the result holds a password: never log it.
    /// </summary>
    public async Task<string> EnsureReaderConnectionStringAsync(string database, CancellationToken cancellationToken)
    {
        string password;
        await using (await ClusterLock.AcquireAsync(LockPath, _options.Timeout, cancellationToken))
        {
            var state = ClusterStateFile.Read(StatePath)
                ?? throw new InvalidOperationException($"no PostgreSQL cluster in {Directory}: start it first");
            if (state.ReaderPassword is null)
            {
                state = state with { ReaderPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)) };
                ClusterStateFile.Write(StatePath, state);
            }

            password = state.ReaderPassword;
        }

        await ReaderRole.EnsureLoginAsync(GetConnectionString("postgres"), ReaderRole.WebLogin, password, cancellationToken);
        return new NpgsqlConnectionStringBuilder(GetConnectionString(database))
        {
            Username = ReaderRole.WebLogin,
            Password = password,
        }.ConnectionString;
    }
}
