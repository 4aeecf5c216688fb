namespace NetBet.Ingest;

internal static class IngestAssembly;
