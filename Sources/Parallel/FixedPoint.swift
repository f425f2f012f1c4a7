/// Exact sums of floats: each addend is rounded once to a multiple of 2⁻³⁶ and kept as an
/// integer count of 2⁻³⁶ in an `Int64`, so adding addends in any order, on any number of threads
/// or ranks, gives the same bits (integer addition is associative; float addition is not).
///
/// Range and resolution: an addend must have |x| < 2¹⁵ = 32768 and is kept to ±2⁻³⁷ (about
/// 7·10⁻¹²); a sum holds up to 2²⁷ (about 1.3·10⁸), room for 4096 addends at the limit.
/// An addend beyond the limit, infinite or NaN is reported, never wrapped.
///
/// The addends of one call are `addends` rows of `values` [addends, stride]; element i of every
/// row goes to sum i. A run of eight zeros in a row (a row of a sparse input's weight gradient
/// that no example of a chunk touched) is skipped. Work is split over up to `threads` threads of
/// the `Team`; each element is its own sum, so the bits do not depend on the thread count.
public enum FixedPoint {
    /// Bits after the binary point: a sum counts multiples of 2⁻³⁶.
    public static let fractionBits = 36
    /// The largest magnitude an addend may reach (exclusive).
    public static let addendLimit: Float = 32768
    /// Addends one sum can take at the limit without overflowing its `Int64`.
    public static let addendsPerSum = 4096

    /// sums[i] += Σₐ round(values[a·stride + i]·2³⁶) for i in 0..<count (with `replacing`,
    /// sums[i] = that sum). Returns false when some addend is at or beyond `addendLimit` or NaN:
    /// those sums are then meaningless.
    public static func accumulate(_ values: UnsafePointer<Float>,          // [addends, stride]
                                  addends: Int, stride: Int,
                                  into sums: UnsafeMutablePointer<Int64>,  // [count]
                                  count: Int, replacing: Bool = false, threads: Int) -> Bool {
        split(count: count, threads: threads) { range in
            accumulate(values + range.lowerBound, addends: addends, stride: stride,
                       into: sums + range.lowerBound, count: range.count, replacing: replacing)
        }
    }

    /// floats[i] = (Σₐ round(values[a·stride + i]·2³⁶))·2⁻³⁶ rounded to float, for i in
    /// 0..<count: `accumulate` into zeroed sums, then `unpack`, without storing the sums.
    /// Returns false as `accumulate` does.
    public static func sum(_ values: UnsafePointer<Float>,            // [addends, stride]
                           addends: Int, stride: Int,
                           into floats: UnsafeMutablePointer<Float>,  // [count]
                           count: Int, threads: Int) -> Bool {
        split(count: count, threads: threads) { range in
            sum(values + range.lowerBound, addends: addends, stride: stride,
                into: floats + range.lowerBound, count: range.count)
        }
    }

    /// values[i] = sums[i]·2⁻³⁶, rounded to float, for i in 0..<count.
    public static func unpack(_ sums: UnsafePointer<Int64>,              // [count]
                              into values: UnsafeMutablePointer<Float>,  // [count]
                              count: Int, threads: Int) {
        parallelFor(count: count, threads: threads, minimumChunk: minimumElementsPerThread) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                store(float(UnsafeRawPointer(sums + i).loadUnaligned(as: SIMD8<Int64>.self)), at: values + i)
                i += 8
            }
            for i in i..<range.upperBound { values[i] = Float(value(sums[i])) }
        }
    }

    /// The value of one sum, as a double.
    public static func value(_ sum: Int64) -> Double {
        Double(sum) / scale
    }

    // MARK: - On one thread

    /// Runs `body` on parts of 0..<count over up to `threads` threads; true when every part is.
    private static func split(count: Int, threads: Int, _ body: (Range<Int>) -> Bool) -> Bool {
        let parts = max(1, min(threads, count / minimumElementsPerThread))
        return withUnsafeTemporaryAllocation(of: Bool.self, capacity: parts) { inRange in
            Team.shared.run(parts: parts, threads: parts) { part in
                inRange[part] = body(evenPart(part, of: parts, count: count))
            }
            return inRange.allSatisfy { $0 }
        }
    }

    private static func accumulate(_ values: UnsafePointer<Float>, addends: Int, stride: Int,
                                   into sums: UnsafeMutablePointer<Int64>, count: Int, replacing: Bool) -> Bool {
        var inRange = Mask(repeating: true)
        var i = 0
        while i + 8 <= count {
            let target = UnsafeMutableRawPointer(sums + i)
            let old = replacing ? SIMD8<Int64>() : target.loadUnaligned(as: SIMD8<Int64>.self)
            target.storeBytes(of: old &+ integers(values + i, addends: addends, stride: stride, inRange: &inRange),
                              as: SIMD8<Int64>.self)
            i += 8
        }
        var tailInRange = true
        for i in i..<count {
            sums[i] = (replacing ? 0 : sums[i]) &+ integer(values + i, addends: addends, stride: stride, inRange: &tailInRange)
        }
        return all(inRange) && tailInRange
    }

    private static func sum(_ values: UnsafePointer<Float>, addends: Int, stride: Int,
                            into floats: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        var inRange = Mask(repeating: true)
        var i = 0
        while i + 8 <= count {
            store(float(integers(values + i, addends: addends, stride: stride, inRange: &inRange)), at: floats + i)
            i += 8
        }
        var tailInRange = true
        for i in i..<count {
            floats[i] = Float(value(integer(values + i, addends: addends, stride: stride, inRange: &tailInRange)))
        }
        return all(inRange) && tailInRange
    }

    // MARK: - Eight sums at a time

    private typealias Mask = SIMDMask<SIMD8<Float>.MaskStorage>

    /// Σₐ round(x·2³⁶) for the eight lanes x = values[a·stride ..< a·stride + 8], clearing lanes of
    /// `inRange` whose x is out of range. For |x| < 2¹⁵ (|x·2³⁶| < 2⁵¹) the scaling is exact, the
    /// bias's addition rounds (to nearest, ties to even), and the integer is the low bits of the
    /// double's mantissa.
    @inline(__always)
    private static func integers(_ values: UnsafePointer<Float>, addends: Int, stride: Int,
                                 inRange: inout Mask) -> SIMD8<Int64> {
        let limit = SIMD8<Float>(repeating: addendLimit)
        var sum = SIMD8<Int64>()
        for addend in 0..<addends {
            let x = UnsafeRawPointer(values + addend * stride).loadUnaligned(as: SIMD8<Float>.self)
            guard any(x .!= 0) else { continue }
            inRange .&= (x .< limit) .& (x .> -limit)
            let biased = SIMD8<Double>(repeating: roundingBias).addingProduct(SIMD8<Double>(x), SIMD8<Double>(repeating: scale))
            sum &+= unsafeBitCast(biased, to: SIMD8<Int64>.self) &- biasBits
        }
        return sum
    }

    /// `integers` for one lane.
    @inline(__always)
    private static func integer(_ values: UnsafePointer<Float>, addends: Int, stride: Int, inRange: inout Bool) -> Int64 {
        var sum: Int64 = 0
        for addend in 0..<addends {
            let x = values[addend * stride]
            inRange = inRange && abs(x) < addendLimit
            sum &+= Int64(bitPattern: (Double(x) * scale + roundingBias).bitPattern) &- biasBits
        }
        return sum
    }

    /// Eight sums' values rounded to float: below 2⁵¹ in magnitude, the bias's bits plus n are the
    /// bits of the double roundingBias + n; larger sums go one by one.
    @inline(__always)
    private static func float(_ n: SIMD8<Int64>) -> SIMD8<Float> {
        // Bits above 52 of n + 2⁵¹, all zero iff |n| < 2⁵¹ (their sum: one vector reduction).
        guard (unsafeBitCast(n &+ (1 << 51), to: SIMD8<UInt64>.self) &>> 52).wrappedSum() == 0 else {
            return SIMD8<Float>((0..<8).map { Float(value(n[$0])) })
        }
        return SIMD8<Float>((unsafeBitCast(n &+ biasBits, to: SIMD8<Double>.self) - roundingBias) / scale)
    }

    @inline(__always)
    private static func store(_ x: SIMD8<Float>, at pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: x, as: SIMD8<Float>.self)
    }

    /// 2³⁶ (`fractionBits`).
    private static let scale: Double = 0x1p36
    /// 1.5·2⁵²: adding it to a double of magnitude below 2⁵¹ leaves the double's value rounded to
    /// an integer (to nearest, ties to even) in the low bits of its mantissa.
    private static let roundingBias: Double = 0x1.8p52
    /// `roundingBias`'s bits.
    private static let biasBits: Int64 = 0x4338_0000_0000_0000
}
