/// A minibatch of rows of a `CompressedRows` set, copied next to each other, each row's
/// partition segments with it.
///
/// The set is tens of megabytes and a shuffled minibatch names rows scattered across it; reading
/// them in place costs a cache miss at the start of every row in both products of a step. One
/// copy per step, whose misses overlap, leaves both products reading a few contiguous kilobytes;
/// a row's segments are contiguous in the set, so each row costs one copy of its starts and one
/// of its entries, however many partitions it is cut into.
public final class SparseBatch {
    private var rowStarts: UnsafeMutablePointer<Int>
    private var columnIndices: UnsafeMutablePointer<UInt16>
    private var valueIndices: UnsafeMutablePointer<UInt8>
    private let distinctValues: UnsafeMutablePointer<Float>
    private var startCapacity = 0, entryCapacity = 0
    private var count = 0, columns = 0, partitionBounds = [0, 0]

    public init() {
        rowStarts = .allocate(capacity: 1)
        rowStarts[0] = 0
        columnIndices = .allocate(capacity: 0)
        valueIndices = .allocate(capacity: 0)
        distinctValues = .allocate(capacity: CompressedRows.maximumDistinctValues)
    }

    deinit {
        rowStarts.deallocate()
        columnIndices.deallocate()
        valueIndices.deallocate()
        distinctValues.deallocate()
    }

    /// Copies the rows `rows` of `set`, in that order, replacing what the batch held.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: CompressedRows) {
        let partitions = set.partitions
        reserve(starts: rows.count * partitions)
        set.rowStarts.withUnsafeBufferPointer { starts in
            for (position, row) in rows.enumerated() {
                let source = starts.baseAddress! + Int(row) * partitions, target = rowStarts + position * partitions
                let shift = target[0] - source[0]
                for segment in 1...partitions { target[segment] = source[segment] + shift }
            }
            reserve(entries: rowStarts[rows.count * partitions])
            set.columnIndices.withUnsafeBufferPointer { sourceColumns in
                set.valueIndices.withUnsafeBufferPointer { sourceValues in
                    for (position, row) in rows.enumerated() {
                        let first = starts[Int(row) * partitions], target = rowStarts[position * partitions]
                        let length = rowStarts[(position + 1) * partitions] - target
                        (columnIndices + target).update(from: sourceColumns.baseAddress! + first, count: length)
                        (valueIndices + target).update(from: sourceValues.baseAddress! + first, count: length)
                    }
                }
            }
        }
        set.distinctValues.withUnsafeBufferPointer {
            distinctValues.update(from: $0.baseAddress!, count: $0.count)
        }
        count = rows.count
        columns = set.columns
        partitionBounds = set.partitionBounds
    }

    /// The gathered rows, of a set not cut into partitions; valid until the next `gather`.
    public var rows: SparseRows {
        precondition(partitionBounds.count == 2, "whole rows of a batch cut into partitions")
        return rows(partition: 0)
    }

    /// Partition `partition`'s segments of the gathered rows; valid until the next `gather`.
    public func rows(partition: Int) -> SparseRows {
        let partitions = partitionBounds.count - 1
        return SparseRows(count: count, columns: columns,
                          columnRange: partitionBounds[partition]..<partitionBounds[partition + 1],
                          rowStarts: rowStarts + partition, rowStride: partitions, columnIndices: columnIndices,
                          valueIndices: valueIndices, distinctValues: distinctValues)
    }

    private func reserve(starts: Int) {
        guard starts > startCapacity else { return }
        rowStarts.deallocate()
        rowStarts = .allocate(capacity: starts + 1)
        rowStarts[0] = 0
        startCapacity = starts
    }

    private func reserve(entries: Int) {
        guard entries > entryCapacity else { return }
        columnIndices.deallocate()
        valueIndices.deallocate()
        columnIndices = .allocate(capacity: entries)
        valueIndices = .allocate(capacity: entries)
        entryCapacity = entries
    }
}
