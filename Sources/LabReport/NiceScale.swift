import Foundation

/// An axis range widened to "nice" round numbers, with ticks in steps of 1, 2 or 5 × 10ⁿ
/// (linear) or at powers of ten with optional 2 and 5 in between (logarithmic).
struct NiceScale: Equatable {
    /// The lower end of the axis (the first tick).
    let lower: Double
    /// The upper end of the axis (the last tick).
    let upper: Double
    /// The tick values from `lower` to `upper`, ascending.
    let ticks: [Double]
    /// True when positions are proportional to log₁₀ of the value.
    let isLogarithmic: Bool
    /// Decimals needed to print every tick of a linear scale distinctly (the smallest tick's, when logarithmic).
    let decimals: Int

    /// A linear scale covering `minimum…maximum` with about `targetTicks` ticks;
    /// `integerSteps` keeps the step at 1 or more (epochs, counts).
    static func linear(_ minimum: Double, _ maximum: Double, targetTicks: Int = 6,
                       integerSteps: Bool = false) -> NiceScale {
        var low = min(minimum, maximum), high = max(minimum, maximum)
        if high - low < 1e-12 * max(1, abs(high)) {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad
            high += pad
        }
        var step = niceStep((high - low) / Double(max(targetTicks - 1, 1)))
        if integerSteps { step = max(step, 1) }
        let first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        let ticks = stride(from: first, through: last, by: 1).map { cleaned($0 * step) }
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        return NiceScale(lower: ticks[0], upper: ticks[ticks.count - 1], ticks: ticks,
                         isLogarithmic: false, decimals: decimals)
    }

    /// A logarithmic scale covering `minimum…maximum` (both > 0): ticks at powers of ten, and
    /// also at 2 and 5 times them when the data span at most three decades.
    static func logarithmic(_ minimum: Double, _ maximum: Double) -> NiceScale {
        let low = max(min(minimum, maximum), 1e-12), high = max(max(minimum, maximum), low * 1.0001)
        var lowerExponent = Int(log10(low).rounded(.down)), upperExponent = Int(log10(high).rounded(.up))
        if upperExponent == lowerExponent { upperExponent += 1 }
        let multipliers: [Double] = log10(high / low) <= 3 ? [1, 2, 5] : [1]
        var candidates: [Double] = []
        for exponent in lowerExponent...upperExponent {
            for multiplier in multipliers { candidates.append(cleaned(multiplier * pow(10, Double(exponent)))) }
        }
        // Trim to the last candidate at or below the data and the first at or above it.
        let start = candidates.lastIndex { $0 <= low * (1 + 1e-9) } ?? 0
        let end = candidates.firstIndex { $0 >= high * (1 - 1e-9) } ?? candidates.count - 1
        let ticks = Array(candidates[start...end])
        lowerExponent = Int(log10(ticks[0]).rounded(.down))
        return NiceScale(lower: ticks[0], upper: ticks[ticks.count - 1], ticks: ticks,
                         isLogarithmic: true, decimals: max(0, -lowerExponent))
    }

    /// Where `value` lies on the axis: 0 at `lower`, 1 at `upper`.
    func fraction(of value: Double) -> Double {
        if isLogarithmic {
            let clamped = max(value, lower * 1e-3)
            return (log10(clamped) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return (value - lower) / (upper - lower)
    }

    /// `value` printed with this scale's decimals (never as "-0"); on a log scale each tick gets
    /// just the decimals it needs ("1", "0.2", "0.01").
    func label(_ value: Double) -> String {
        let places = isLogarithmic && value > 0 ? max(0, -Int(log10(value * (1 + 1e-9)).rounded(.down))) : decimals
        let text = String(format: "%.\(places)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// The smallest step of the form 1, 2 or 5 × 10ⁿ that is at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let magnitude = pow(10, log10(rough).rounded(.down))
        for multiplier in [1.0, 2, 5, 10] where multiplier * magnitude >= rough * (1 - 1e-9) {
            return cleaned(multiplier * magnitude)
        }
        return cleaned(10 * magnitude)
    }

    /// Removes floating-point noise such as 0.30000000000000004 by rounding to 12 significant digits.
    private static func cleaned(_ value: Double) -> Double {
        Double(String(format: "%.12g", value)) ?? value
    }
}
