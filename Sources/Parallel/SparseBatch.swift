/// A minibatch of rows of a `CompressedRows` set, copied next to each other.
///
/// The set is tens of megabytes and a shuffled minibatch names rows scattered across it; reading
/// them in place costs a cache miss at the start of every row in both products of a step
/// (measured: ≈ 17 ms per pass per epoch of MNIST at batch 64). One copy per step, whose misses
/// overlap, leaves both products reading a few contiguous kilobytes.
public final class SparseBatch {
    private var rowStarts: UnsafeMutablePointer<Int>
    private var columnIndices: UnsafeMutablePointer<Int32>
    private var values: UnsafeMutablePointer<Float>
    /// For each of `bounds`, where each row's entries at or past that column start:
    /// [bounds.count, rowCapacity].
    private var boundStarts: UnsafeMutablePointer<Int>
    private var bounds: [Int] = []
    private var rowCapacity = 0, entryCapacity = 0, boundCapacity = 0
    private var count = 0, columns = 0
    /// What `prepare` was given, for `copy`.
    private var source: (rows: UnsafeBufferPointer<Int32>, set: CompressedRows)?

    public init() {
        rowStarts = .allocate(capacity: 1)
        rowStarts[0] = 0
        boundStarts = .allocate(capacity: 0)
        columnIndices = .allocate(capacity: 0)
        values = .allocate(capacity: 0)
    }

    deinit {
        rowStarts.deallocate()
        boundStarts.deallocate()
        columnIndices.deallocate()
        values.deallocate()
    }

    /// Copies the rows `rows` of `set`, in that order, replacing what the batch held.
    public func gather(_ rows: UnsafeBufferPointer<Int32>, from set: CompressedRows) {
        prepare(rows, from: set)
        copy(part: 0, of: 1)
    }

    /// The first half of `gather`: lays out the rows `rows` of `set` (which must stay unchanged
    /// until the copies are done), leaving the entries to `copy`. With `columnSlices` (ascending
    /// column bounds from 0 to `set.columns`), the copies also find where each row's entries of
    /// each slice start, for `rows(slice:)`.
    public func prepare(_ rows: UnsafeBufferPointer<Int32>, from set: CompressedRows, columnSlices: [Int]? = nil) {
        bounds = columnSlices ?? [0, set.columns]
        precondition(bounds.first == 0 && bounds.last == set.columns && bounds == bounds.sorted())
        reserve(rows: rows.count)
        set.rowStarts.withUnsafeBufferPointer { starts in
            for (position, row) in rows.enumerated() {
                rowStarts[position + 1] = rowStarts[position] + starts[Int(row) + 1] - starts[Int(row)]
            }
        }
        reserve(entries: rowStarts[rows.count])
        count = rows.count
        columns = set.columns
        source = (rows, set)
    }

    /// The second half of `gather`: copies the entries of part `part` of `parts` nearly equal
    /// parts of the prepared rows. Different parts may be copied at the same time.
    public func copy(part: Int, of parts: Int) {
        guard let (rows, set) = source else { preconditionFailure("copy before prepare") }
        let range = (part * rows.count / parts)..<((part + 1) * rows.count / parts)
        set.rowStarts.withUnsafeBufferPointer { starts in
            set.columnIndices.withUnsafeBufferPointer { sourceColumns in
                set.values.withUnsafeBufferPointer { sourceValues in
                    for position in range {
                        let first = starts[Int(rows[position])], target = rowStarts[position]
                        let length = rowStarts[position + 1] - target
                        (columnIndices + target).update(from: sourceColumns.baseAddress! + first, count: length)
                        (values + target).update(from: sourceValues.baseAddress! + first, count: length)
                        findBounds(row: position, entries: target..<(target + length))
                    }
                }
            }
        }
    }

    /// Records where the copied row `row`'s entries (`entries`, in column order) reach each of
    /// `bounds`: the first and last bound at its ends, a binary search for each inner one.
    private func findBounds(row: Int, entries: Range<Int>) {
        let last = bounds.count - 1
        boundStarts[row] = entries.lowerBound
        boundStarts[last * rowCapacity + row] = entries.upperBound
        var low = entries.lowerBound
        for index in 1..<last {
            let bound = bounds[index]
            var high = entries.upperBound
            while low < high {
                let middle = (low + high) / 2
                if Int(columnIndices[middle]) < bound { low = middle + 1 } else { high = middle }
            }
            boundStarts[index * rowCapacity + row] = low
        }
    }

    /// The gathered rows; valid until the next `prepare`.
    public var rows: SparseRows {
        SparseRows(count: count, columns: columns, rowStarts: rowStarts,
                   columnIndices: columnIndices, values: values)
    }

    /// The entries of the gathered rows in column slice `slice` of those `prepare` was given:
    /// columns `columnSlices[slice] ..< columnSlices[slice + 1]`.
    public func rows(slice: Int) -> SparseRows {
        SparseRows(count: count, columns: columns, columnRange: bounds[slice]..<bounds[slice + 1],
                   rowStarts: boundStarts + slice * rowCapacity, rowEnds: boundStarts + (slice + 1) * rowCapacity,
                   columnIndices: columnIndices, values: values)
    }

    private func reserve(rows: Int) {
        if rows > rowCapacity {
            rowStarts.deallocate()
            rowStarts = .allocate(capacity: rows + 1)
            rowStarts[0] = 0
            rowCapacity = rows
        }
        if bounds.count * rowCapacity > boundCapacity {
            boundStarts.deallocate()
            boundCapacity = bounds.count * rowCapacity
            boundStarts = .allocate(capacity: boundCapacity)
        }
    }

    private func reserve(entries: Int) {
        guard entries > entryCapacity else { return }
        columnIndices.deallocate()
        values.deallocate()
        columnIndices = .allocate(capacity: entries)
        values = .allocate(capacity: entries)
        entryCapacity = entries
    }
}
