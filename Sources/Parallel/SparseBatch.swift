import CacheHints

/// A minibatch of rows of a `CompressedRows` set, copied next to each other: whole rows, or
/// each row's segment of one column partition.
///
/// The set is tens of megabytes and a shuffled minibatch names rows scattered across it; reading
/// them in place costs a cache miss at the start of every row in both products of a step. One
/// copy per step leaves both products reading a few contiguous kilobytes; the copy first reads
/// every row's bounds and asks for its entries' first cache lines, so that their misses overlap
/// rather than come one copy after another.
/// A partitioned batch (`PartitionedSparseBatch`) keeps one of these per partition, copied by
/// the thread that multiplies it, so the copy lands in the cache of the core that reads it.
public final class SparseBatch {
    private var rowStarts: UnsafeMutablePointer<Int>
    private var columnIndices: UnsafeMutablePointer<UInt16>
    private var valueIndices: UnsafeMutablePointer<UInt8>
    private let distinctValues: UnsafeMutablePointer<Float>
    private var startCapacity = 0, entryCapacity = 0
    private var count = 0, columns = 0, columnRange = 0..<0

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

    /// Copies partition `partition`'s segments of the rows `rows` of `set` (the whole rows of a
    /// set not cut into partitions), in that order, replacing what the batch held.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: CompressedRows, partition: Int = 0) {
        let partitions = set.partitions
        precondition(partition >= 0 && partition < partitions)
        reserve(starts: rows.count)
        set.rowStarts.withUnsafeBufferPointer { starts in
            let segments = starts.baseAddress! + partition
            set.columnIndices.withUnsafeBufferPointer { sourceColumns in
                set.valueIndices.withUnsafeBufferPointer { sourceValues in
                    for (position, row) in rows.enumerated() {
                        let segment = segments + Int(row) * partitions
                        rowStarts[position + 1] = rowStarts[position] + (segment[1] - segment[0])
                        mpitrain_prefetch(sourceColumns.baseAddress! + segment[0])
                        mpitrain_prefetch(sourceColumns.baseAddress! + segment[0] + 32)
                        mpitrain_prefetch(sourceValues.baseAddress! + segment[0])
                    }
                    reserve(entries: rowStarts[rows.count])
                    for (position, row) in rows.enumerated() {
                        let first = segments[Int(row) * partitions], target = rowStarts[position]
                        let length = rowStarts[position + 1] - target
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
        columnRange = set.partitionBounds[partition]..<set.partitionBounds[partition + 1]
    }

    /// The gathered rows (or segments); valid until the next `gather`.
    public var rows: SparseRows {
        SparseRows(count: count, columns: columns, columnRange: columnRange, rowStarts: rowStarts,
                   columnIndices: columnIndices, valueIndices: valueIndices, distinctValues: distinctValues)
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
