import NetCore
import Testing

/// Augmentation: a distortion drawn from (seed, epoch, example) alone, the same every time; a
/// shift moves the digit without losing it; elastic distortions move ink without creating it.
@Suite struct AugmentationTests {
    /// A 28 × 28 "digit": a bright bar with a dimmer tail, inside MNIST's central 20 × 20 box.
    static let image: [UInt8] = (0..<784).map { i in
        let (row, column) = (i / 28, i % 28)
        if (8...19).contains(row), (12...14).contains(column) { return 255 }
        if row == 19, (15...18).contains(column) { return 128 }
        return 0
    }

    /// The sum of an image's pixels.
    private func ink(_ image: [UInt8]) -> Int { image.reduce(0) { $0 + Int($1) } }

    /// Whether pixel `i` of a 28 × 28 image lies within 3 pixels of its border.
    private func nearBorder(_ i: Int) -> Bool {
        let (row, column) = (i / 28, i % 28)
        return row < 3 || row > 24 || column < 3 || column > 24
    }

    private func distorted(_ augmentation: Augmentation, seed: UInt64 = 1, epoch: Int = 1, example: Int = 0,
                           image: [UInt8] = image, rows: Int = 28, columns: Int = 28) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: rows * columns)
        image.withUnsafeBufferPointer { image in
            output.withUnsafeMutableBufferPointer {
                augmentation.distort($0.baseAddress!, image: image.baseAddress!, rows: rows, columns: columns,
                                     seed: seed, epoch: epoch, example: example)
            }
        }
        return output
    }

    @Test(arguments: Augmentation.allCases)
    func theDistortionDependsOnlyOnSeedEpochAndExample(augmentation: Augmentation) {
        let first = distorted(augmentation, seed: 3, epoch: 2, example: 17)
        #expect(distorted(augmentation, seed: 3, epoch: 2, example: 17) == first)
        // Of a handful of other keys, most give another image (a shift has 25 outcomes, so one may repeat).
        let others = [distorted(augmentation, seed: 4, epoch: 2, example: 17), distorted(augmentation, seed: 3, epoch: 3, example: 17),
                      distorted(augmentation, seed: 3, epoch: 2, example: 18), distorted(augmentation, seed: 3, epoch: 4, example: 9)]
        #expect(others.filter { $0 != first }.count >= 3)
        let all = (0..<20).map { distorted(augmentation, example: $0) }
        #expect(Set(all.map { $0.description }).count >= (augmentation == .shift ? 8 : 20), "distortions vary over examples")
    }

    @Test func aShiftMovesTheDigitByAtMostTwoPixelsAndKeepsAllOfIt() {
        func inkBox(_ image: [UInt8]) -> (top: Int, left: Int) {
            let ink = image.indices.filter { image[$0] > 0 }
            return (ink.map { $0 / 28 }.min()!, ink.map { $0 % 28 }.min()!)
        }
        var shifts = Set<[Int]>()
        for example in 0..<200 {
            let shifted = distorted(.shift, example: example)
            #expect(ink(shifted) == ink(Self.image), "no ink lost")
            #expect(shifted.sorted() == Self.image.sorted())
            let (top, left) = inkBox(shifted)
            shifts.insert([top - 8, left - 12])
        }
        #expect(shifts == Set((-2...2).flatMap { down in (-2...2).map { [down, $0] } }), "all 25 shifts of ±2 px occur")
    }

    @Test func anElasticDistortionMovesInkSmoothly() {
        let total = Double(ink(Self.image))
        var changed = 0
        for example in 0..<50 {
            let warped = distorted(.elastic, example: example)
            let moved = Double(ink(warped))
            // Strokes 3 px wide are stretched and squeezed (measured: up to 66 % of the ink gained or
            // lost), but neither vanish nor multiply.
            #expect(moved > 0.25 * total && moved < 2 * total, "example \(example): ink \(moved) of \(total)")
            // Pixels far from the digit stay black: displacements are a few pixels, not a scramble.
            let strayInk = (0..<784).filter { nearBorder($0) && warped[$0] > 0 }
            #expect(strayInk.isEmpty)
            if warped != Self.image { changed += 1 }
        }
        #expect(changed == 50)
    }

    @Test(arguments: Augmentation.allCases)
    func otherImageSizesWork(augmentation: Augmentation) {
        let image = (0..<(8 * 10)).map { UInt8(($0 * 37) % 256) }
        let output = distorted(augmentation, image: image, rows: 8, columns: 10)
        #expect(output.count == 80 && output != image)
        #expect(distorted(augmentation, image: image, rows: 8, columns: 10) == output)
    }
}
