import NetCore

/// Central differences of `f` at `point` in Double: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.
func numericGradient(at point: [Double], step: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var x = point
    return point.indices.map { i in
        x[i] = point[i] + step
        let above = f(x)
        x[i] = point[i] - step
        let below = f(x)
        x[i] = point[i]
        return (above - below) / (2 * step)
    }
}

/// The worst element-wise relative error of `analytic` against `numeric`, each difference measured
/// against |numeric| plus a floor of 1e-3 of the largest |numeric| (so entries that are ~0 only
/// need to be ~0 at the gradient's own scale).
func gradientError(_ analytic: [Float], _ numeric: [Double]) -> Double {
    precondition(analytic.count == numeric.count)
    let scale = numeric.map(abs).max() ?? 0
    precondition(scale > 0, "an all-zero numeric gradient checks nothing")
    return zip(analytic, numeric).map { a, n in abs(Double(a) - n) / (abs(n) + 1e-3 * scale) }.max() ?? 0
}

/// The tolerance the checks use, and proof that it catches a wrong gradient: the analytic
/// gradient must pass, and the same gradient with its largest entry off by 5% must fail.
let gradientTolerance = 1e-2

func gradientPasses(_ analytic: [Float], _ numeric: [Double]) -> (correct: Bool, corruptedFails: Bool) {
    var corrupted = analytic
    let largest = corrupted.indices.max { abs(corrupted[$0]) < abs(corrupted[$1]) }!
    corrupted[largest] *= 1.05
    return (gradientError(analytic, numeric) < gradientTolerance,
            gradientError(corrupted, numeric) >= gradientTolerance)
}

/// `count` uniform values in `range`, from a fixed seed.
func uniformValues(_ count: Int, in range: ClosedRange<Float> = -1...1, seed: UInt64) -> [Float] {
    var generator = SeededRandom(seed: seed, stream: 99)
    return (0..<count).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUnitFloat() }
}
