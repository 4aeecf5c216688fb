namespace NetBet.Data.Export;

/// <summary>
/// The values of up to <see cref="Capacity"/> rows, one typed array per column (<c>string?[]</c>, <c>double?[]</c>,
/// <c>long?[]</c>, <c>bool?[]</c>, and <c>DateTime?[]</c> in UTC): a Parquet row group, or a batch of CSV lines.
/// </summary>
internal sealed class ColumnBuffers<TRow>
{
    private readonly ExportColumn<TRow>[] _columns;

    public ColumnBuffers(ExportColumn<TRow>[] columns, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _columns = columns;
        Capacity = capacity;
        Values = [.. columns.Select(c => Create(c.Type, capacity))];
    }

    /// <summary>Column <c>i</c>'s values, as the array type of its <see cref="ExportType"/>.</summary>
    public Array[] Values { get; }

    public int Capacity { get; }

    /// <summary>Rows held; set to 0 to reuse the buffers.</summary>
    public int Count { get; set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Copies the values of <paramref name="row"/> (reused by its reader) into the next slot.</summary>
    public void Add(TRow row)
    {
        var index = Count++;
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            switch (column.Type)
            {
                case ExportType.Text: ((string?[])Values[i])[index] = column.GetText(row); break;
                case ExportType.Real: ((double?[])Values[i])[index] = column.GetReal(row); break;
                case ExportType.Whole: ((long?[])Values[i])[index] = column.GetWhole(row); break;
                case ExportType.Boolean: ((bool?[])Values[i])[index] = column.GetBoolean(row); break;
                case ExportType.Timestamp: ((DateTime?[])Values[i])[index] = column.GetTimestamp(row)?.UtcDateTime; break;
            }
        }
    }

    private static Array Create(ExportType type, int rows) => type switch
    {
        ExportType.Text => new string?[rows],
        ExportType.Real => new double?[rows],
        ExportType.Whole => new long?[rows],
        ExportType.Boolean => new bool?[rows],
        ExportType.Timestamp => new DateTime?[rows],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}
