using NetBet.Data.Cluster;

[assembly: AssemblyFixture(typeof(NetBet.Ingest.Tests.DatabaseFixture))]

namespace NetBet.Ingest.Tests;

/// <summary>One PostgreSQL server for the run, a template migrated once, a database per test (<see cref="ScratchDatabaseFixture"/>).</summary>
public sealed class DatabaseFixture() : ScratchDatabaseFixture("netbet_ingest_test"), IAsyncLifetime;
