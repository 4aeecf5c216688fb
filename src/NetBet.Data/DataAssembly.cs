namespace NetBet.Data;

internal static class DataAssembly;
