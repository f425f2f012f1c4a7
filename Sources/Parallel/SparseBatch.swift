import CacheHints

/// A minibatch of rows of a `CompressedRows` set, copied next to each other: whole rows, or
/// each row's segments of a run of consecutive column partitions.
///
/// The set is tens of megabytes and a shuffled minibatch names rows scattered across it; reading
/// them in place costs a cache miss at the start of every row in both products of a step. One
/// copy per step leaves both products reading a few contiguous kilobytes; the copy first reads
/// every row's bounds and asks for its entries' cache lines, so that their misses overlap rather
/// than come one copy after another. A row's segments are contiguous in the set, so each row
/// costs one copy however many of its partitions the batch holds.
/// A partitioned batch (`PartitionedSparseBatch`) keeps one of these per team member, holding
/// the partitions that member multiplies, so the copy lands in the cache of the core that reads it.
public final class SparseBatch {
    /// [count · partitions.count + 1]: row r's segment of partition partitions.lowerBound + s
    /// starts at `rowStarts[r · partitions.count + s]`.
    private var rowStarts: UnsafeMutablePointer<Int>
    private var columnIndices: UnsafeMutablePointer<UInt16>
    private var valueIndices: UnsafeMutablePointer<UInt8>
    private let distinctValues: UnsafeMutablePointer<Float>
    private var startCapacity = 0, entryCapacity = 0
    private var count = 0, columns = 0, partitionBounds = [0, 0], partitions = 0..<1

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

    /// Copies the segments of the consecutive partitions `partitions` (all of them when nil: whole
    /// rows) of the rows `rows` of `set`, in that order, replacing what the batch held.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: CompressedRows, partitions: Range<Int>? = nil) {
        let span = partitions ?? 0..<set.partitions, stride = set.partitions, held = span.count
        precondition(span.lowerBound >= 0 && span.upperBound <= stride && !span.isEmpty)
        reserve(starts: rows.count * held)
        set.rowStarts.withUnsafeBufferPointer { starts in
            let segments = starts.baseAddress! + span.lowerBound
            set.columnIndices.withUnsafeBufferPointer { sourceColumns in
                set.valueIndices.withUnsafeBufferPointer { sourceValues in
                    for (position, row) in rows.enumerated() {
                        let source = segments + Int(row) * stride, target = rowStarts + position * held
                        let shift = target[0] - source[0]
                        for segment in 1...held { target[segment] = source[segment] + shift }
                        for entry in Swift.stride(from: source[0], to: source[held], by: 32) {
                            mpitrain_prefetch(sourceColumns.baseAddress! + entry)
                        }
                        for entry in Swift.stride(from: source[0], to: source[held], by: 64) {
                            mpitrain_prefetch(sourceValues.baseAddress! + entry)
                        }
                    }
                    reserve(entries: rowStarts[rows.count * held])
                    for (position, row) in rows.enumerated() {
                        let first = segments[Int(row) * stride], target = rowStarts[position * held]
                        let length = rowStarts[(position + 1) * held] - target
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
        self.partitions = span
    }

    /// The gathered rows: whole, or the segments of the partitions the batch holds; valid until
    /// the next `gather`.
    public var rows: SparseRows { rows(partitions: partitions) }

    /// The gathered segments of partition `partition` (one of those the batch holds); valid until
    /// the next `gather`.
    public func rows(partition: Int) -> SparseRows { rows(partitions: partition..<partition + 1) }

    /// The gathered segments of the consecutive partitions `range` (of those the batch holds),
    /// each row's in column order; valid until the next `gather`.
    public func rows(partitions range: Range<Int>) -> SparseRows {
        precondition(!range.isEmpty && range.clamped(to: partitions) == range,
                     "partitions \(range) of a batch holding \(partitions)")
        return SparseRows(count: count, columns: columns,
                          columnRange: partitionBounds[range.lowerBound]..<partitionBounds[range.upperBound],
                          rowStarts: rowStarts + (range.lowerBound - partitions.lowerBound), rowStride: partitions.count,
                          rowSpan: range.count, columnIndices: columnIndices, valueIndices: valueIndices,
                          distinctValues: distinctValues)
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
