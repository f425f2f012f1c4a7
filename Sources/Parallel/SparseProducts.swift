import SparseVectors

/// Products of the rows of a sparse matrix with a dense one: the two products a dense layer needs
/// with its input when the input is sparse. Arguments in the house order: output first, then
/// inputs, then dimensions. Each C element is summed by one thread in the order of A's entries,
/// so results are deterministic and do not depend on `threads`.

/// The narrowest C [·, n] for which Aᵀ·B is taken with A's entries grouped by column
/// (`SparseColumns`, `SparseTransposedKernel.byColumns`) rather than by rows: by columns pays a
/// regrouping per batch (a bit and a byte per entry, ≈ 1 ns per entry) to sum each row of C in
/// registers, by rows reads and writes a row of C per entry; by columns wins from 64 columns on
/// (docs/performance.md).
public let columnGroupingMinimumWidth = 64

/// The fewest rows worth a thread of their own in `sparseTimesDense`: a batch-64 step takes tens
/// of microseconds, about what handing work to a second thread costs.
let sparseRowsPerThread = 128

/// C = A·B: C [a.count, n] (stride ldc, overwritten), B [a.columns, n] (stride ldb); with
/// `accumulate`, C += A·B, each element's A·B summed in full before it is added (the same bits
/// as adding a separately stored A·B).
public func sparseTimesDense(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: SparseRows,
    b: UnsafePointer<Float>, ldb: Int,
    n: Int, threads: Int = 1, accumulate: Bool = false
) {
    parallelFor(count: a.count, threads: threads, minimumChunk: sparseRowsPerThread) { chunk in
        for row in chunk {
            forEachColumnBlock(n, RowTimesDense(a: a, row: row, b: b, ldb: ldb, c: c + row * ldc, accumulate: accumulate))
        }
    }
}

/// C = alpha·Aᵀ·B + beta·C by rows: C [a.columns, n] (stride ldc), B [a.count, n] (stride ldb),
/// beta 0 or 1. Only C's rows in `a.columnRange` are written: a column slice of A gives those
/// rows of C. Each row of B, times alpha, is held in registers and added into the rows of C its
/// row of A names: every entry reads and writes a row of C. For narrow C only (n below
/// `columnGroupingMinimumWidth`); wider C is faster by columns. Runs on the caller's thread.
public func sparseTransposedTimesDense(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: SparseRows,
    b: UnsafePointer<Float>, ldb: Int,
    n: Int, alpha: Float = 1, beta: Float = 0
) {
    precondition(beta == 0 || beta == 1, "beta must be 0 or 1")
    if beta == 0 && ldc == n {
        (c + a.columnRange.lowerBound * ldc).update(repeating: 0, count: a.columnRange.count * n)
    } else if beta == 0 {
        for row in a.columnRange { (c + row * ldc).update(repeating: 0, count: n) }
    }
    for row in 0..<a.count {
        forEachColumnBlock(n, RowScatteredByEntries(a: a, row: row, b: b + row * ldb, alpha: alpha, c: c, ldc: ldc))
    }
}

/// C = alpha·Aᵀ·B + beta·C with A's entries grouped by column (`SparseColumns`, made from the
/// rows by `ColumnGrouping`): C [a.columnRange, n] only (stride ldc: a column slice of A gives
/// those rows of C, and the others are not touched), B [a.rows, n] (stride ldb), beta 0 or 1.
/// Each row of C is summed in registers over its column's entries, then written once. Runs on
/// the caller's thread (a split step gives each thread a column slice).
public func sparseTransposedTimesDense(
    c: UnsafeMutablePointer<Float>, ldc: Int,
    a: SparseColumns,
    b: UnsafePointer<Float>, ldb: Int,
    n: Int, alpha: Float = 1, beta: Float = 0
) {
    precondition(beta == 0 || beta == 1, "beta must be 0 or 1")
    for column in a.columnRange {
        forEachColumnBlock(n, ColumnGatheredFromRows(a: a, column: column, b: b, ldb: ldb, alpha: alpha,
                                                     accumulate: beta == 1, c: c + column * ldc))
    }
}

// MARK: - Column blocks

/// Work on one column block of a row: `visit` for a block of registers, `visitTail` for the
/// last 1–15 columns.
private protocol ColumnBlockWork {
    func visit<Block: RegisterBlock>(_ block: Block.Type, column: Int)
    func visitTail(column: Int, width: Int)
}

/// Runs `work` on consecutive column blocks of `n`: the widest block while they last, then the
/// narrower ones, then the last 1–15 columns. The widest block is the one whose two chains of sums
/// (`sumOfRows`) fill half the register file, leaving the other half for the rows being read:
/// 128 columns with AVX-512, 32 with AVX2 (wider blocks spill their sums to the stack).
@inline(__always)
private func forEachColumnBlock(_ n: Int, _ work: some ColumnBlockWork) {
    let widest = RegisterFile.floats / 4
    var column = 0
    while widest >= Registers128.width && n - column >= Registers128.width {
        work.visit(Registers128.self, column: column)
        column += Registers128.width
    }
    while widest >= Registers64.width && n - column >= Registers64.width {
        work.visit(Registers64.self, column: column)
        column += Registers64.width
    }
    while widest >= Registers32.width && n - column >= Registers32.width {
        work.visit(Registers32.self, column: column)
        column += Registers32.width
    }
    while n - column >= Registers16.width {
        work.visit(Registers16.self, column: column)
        column += Registers16.width
    }
    if column < n { work.visitTail(column: column, width: n - column) }
}

/// Σ_entries value(entry)·B[row(entry)] over one register block of columns (`b` points at the
/// block in B's first row): the sum both products make, A's row by B in `sparseTimesDense` and
/// A's column by B in the grouped `sparseTransposedTimesDense`. Even and odd entries go to
/// separate registers: two independent FMA chains per register.
@inline(__always)
private func sumOfRows<Block: RegisterBlock>(_ entries: Range<Int>, of b: UnsafePointer<Float>, ldb: Int,
                                             value: (Int) -> Float, row: (Int) -> Int) -> Block {
    var even = Block(), odd = Block()
    var entry = entries.lowerBound
    while entry + 1 < entries.upperBound {
        even.add(value(entry), times: b + row(entry) &* ldb)
        odd.add(value(entry + 1), times: b + row(entry + 1) &* ldb)
        entry += 2
    }
    if entry < entries.upperBound { even.add(value(entry), times: b + row(entry) &* ldb) }
    return even + odd
}

/// `sumOfRows` over the entries of a column of grouped A (`SparseColumns`), rows ascending: the
/// same two chains, the column's even and odd entries.
@inline(__always)
private func sumOfColumn<Block: RegisterBlock>(_ a: SparseColumns, _ column: Int, of b: UnsafePointer<Float>,
                                               ldb: Int) -> Block {
    var even = Block(), odd = Block()
    let index = column &- a.columnRange.lowerBound
    var rows = a.rows(inColumn: column)
    while let first = rows.next() {
        even.add(a.value(row: first, index: index), times: b + first &* ldb)
        guard let second = rows.next() else { break }
        odd.add(a.value(row: second, index: index), times: b + second &* ldb)
    }
    return even + odd
}

/// C[row] = A[row]·B.
private struct RowTimesDense: ColumnBlockWork {
    let a: SparseRows, row: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>
    /// Whether the row's product is added to C's row rather than stored in it.
    let accumulate: Bool

    @inline(__always)
    func visit<Block: RegisterBlock>(_ block: Block.Type, column: Int) {
        let sum: Block = sumOfRows(a.entries(row), of: b + column, ldb: ldb, value: a.value, row: a.column)
        (accumulate ? Block(loading: c + column) + sum : sum).store(to: c + column)
    }

    /// Plain memory for the tail: indexing a SIMD register lane by lane in the inner loop costs an
    /// insert and an extract per element.
    @inline(__always)
    func visitTail(column: Int, width: Int) {
        if width == 1 {
            visitOneColumn(column)
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: width) { buffer in
            let sums = buffer.baseAddress!
            sums.initialize(repeating: 0, count: width)
            for entry in a.entries(row) {
                let scale = a.value(entry), bRow = b + column + a.column(entry) &* ldb
                for lane in 0..<width { sums[lane] += scale * bRow[lane] }
            }
            if accumulate {
                for lane in 0..<width { c[column + lane] += sums[lane] }
            } else {
                (c + column).update(from: sums, count: width)
            }
        }
    }

    /// A C one column wide (the single neuron): a dot product, sixteen entries at a time in
    /// sixteen sums (`mpitrain_sparse_dot`: AVX-512 gathers where the CPU has them).
    @inline(__always)
    private func visitOneColumn(_ column: Int) {
        let entries = a.entries(row)
        let sum = mpitrain_sparse_dot(a.valueIndices + entries.lowerBound, a.columnIndices + entries.lowerBound,
                                      a.distinctValues, entries.count, b + column, ldb)
        c[column] = accumulate ? c[column] + sum : sum
    }
}

/// C[columns of A[row]] += A[row]ᵀ·(alpha·B[row]), with alpha·B's row held in registers.
private struct RowScatteredByEntries: ColumnBlockWork {
    let a: SparseRows, row: Int, b: UnsafePointer<Float>, alpha: Float, c: UnsafeMutablePointer<Float>, ldc: Int

    @inline(__always)
    func visit<Block: RegisterBlock>(_ block: Block.Type, column: Int) {
        let source = Block(loading: b + column).scaled(by: alpha), cColumn = c + column
        for entry in a.entries(row) {
            source.scatter(a.value(entry), into: cColumn + a.column(entry) &* ldc)
        }
    }

    @inline(__always)
    func visitTail(column: Int, width: Int) {
        if width == 1 {
            visitOneColumn(column)
            return
        }
        for entry in a.entries(row) {
            let scale = a.value(entry), cRow = c + column + a.column(entry) &* ldc
            for lane in 0..<width { cRow[lane] += scale * (alpha * b[column + lane]) }
        }
    }

    /// A C one column wide (the single neuron's weight gradient): one multiply and one add per
    /// entry, sixteen entries at a time (`mpitrain_sparse_scatter_add`: AVX-512 gathers and a
    /// scatter where the CPU has them; a row's columns are distinct).
    @inline(__always)
    private func visitOneColumn(_ column: Int) {
        let entries = a.entries(row)
        mpitrain_sparse_scatter_add(c + column, ldc, a.valueIndices + entries.lowerBound,
                                    a.columnIndices + entries.lowerBound, a.distinctValues, entries.count,
                                    alpha * b[column])
    }
}

/// C[column] = alpha·Σ_entries value·B[row] (+ C[column] when accumulating).
private struct ColumnGatheredFromRows: ColumnBlockWork {
    let a: SparseColumns, column: Int, b: UnsafePointer<Float>, ldb: Int, alpha: Float, accumulate: Bool
    let c: UnsafeMutablePointer<Float>

    @inline(__always)
    func visit<Block: RegisterBlock>(_ block: Block.Type, column offset: Int) {
        let rows: Block = sumOfColumn(a, column, of: b + offset, ldb: ldb)
        let sum = rows.scaled(by: alpha)
        if accumulate { sum.scatter(1, into: c + offset) } else { sum.store(to: c + offset) }
    }

    @inline(__always)
    func visitTail(column offset: Int, width: Int) {
        let target = c + offset
        if !accumulate { target.update(repeating: 0, count: width) }
        a.forEachEntry(inColumn: column) { row, scale in
            let bRow = b + offset + row &* ldb
            for lane in 0..<width { target[lane] += alpha * (scale * bRow[lane]) }
        }
    }
}

// MARK: - Register blocks

/// A fixed number of floats of one row, held in `SIMD16<Float>` registers.
private protocol RegisterBlock {
    static var width: Int { get }
    /// Zeros.
    init()
    /// source[0 ..< width].
    init(loading source: UnsafePointer<Float>)
    /// self += factor · row[0 ..< width]
    mutating func add(_ factor: Float, times row: UnsafePointer<Float>)
    /// factor · self
    func scaled(by factor: Float) -> Self
    /// row[0 ..< width] += factor · self
    func scatter(_ factor: Float, into row: UnsafeMutablePointer<Float>)
    static func + (lhs: Self, rhs: Self) -> Self
    /// target[0 ..< width] = self
    func store(to target: UnsafeMutablePointer<Float>)
}

private struct Registers16: RegisterBlock {
    static var width: Int { 16 }
    var value: SIMD16<Float>

    @inline(__always) init() { value = SIMD16() }
    @inline(__always) init(loading source: UnsafePointer<Float>) {
        value = UnsafeRawPointer(source).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) private init(_ value: SIMD16<Float>) { self.value = value }

    @inline(__always) mutating func add(_ factor: Float, times row: UnsafePointer<Float>) {
        value.addProduct(SIMD16(repeating: factor), Registers16(loading: row).value)
    }
    @inline(__always) func scaled(by factor: Float) -> Self { Self(value * factor) }
    @inline(__always) func scatter(_ factor: Float, into row: UnsafeMutablePointer<Float>) {
        Registers16(Registers16(loading: row).value.addingProduct(SIMD16(repeating: factor), value)).store(to: row)
    }
    @inline(__always) static func + (lhs: Self, rhs: Self) -> Self { Self(lhs.value + rhs.value) }
    @inline(__always) func store(to target: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(target).storeBytes(of: value, as: SIMD16<Float>.self)
    }
}

/// Two blocks side by side: twice the width.
private struct Pair<Half: RegisterBlock>: RegisterBlock {
    static var width: Int { 2 * Half.width }
    var low: Half, high: Half

    @inline(__always) init() { low = Half(); high = Half() }
    @inline(__always) init(loading source: UnsafePointer<Float>) {
        low = Half(loading: source)
        high = Half(loading: source + Half.width)
    }
    @inline(__always) private init(low: Half, high: Half) { self.low = low; self.high = high }

    @inline(__always) mutating func add(_ factor: Float, times row: UnsafePointer<Float>) {
        low.add(factor, times: row)
        high.add(factor, times: row + Half.width)
    }
    @inline(__always) func scaled(by factor: Float) -> Self {
        Self(low: low.scaled(by: factor), high: high.scaled(by: factor))
    }
    @inline(__always) func scatter(_ factor: Float, into row: UnsafeMutablePointer<Float>) {
        low.scatter(factor, into: row)
        high.scatter(factor, into: row + Half.width)
    }
    @inline(__always) static func + (lhs: Self, rhs: Self) -> Self {
        Self(low: lhs.low + rhs.low, high: lhs.high + rhs.high)
    }
    @inline(__always) func store(to target: UnsafeMutablePointer<Float>) {
        low.store(to: target)
        high.store(to: target + Half.width)
    }
}

private typealias Registers32 = Pair<Registers16>
private typealias Registers64 = Pair<Registers32>
private typealias Registers128 = Pair<Registers64>
