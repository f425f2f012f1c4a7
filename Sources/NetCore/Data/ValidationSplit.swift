extension LabeledImages {
    /// The images at `indices` (ascending), in that order.
    func subset(_ indices: [Int]) -> LabeledImages {
        let size = pixelsPerImage
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * size)
        for index in indices { pixels += self.pixels[index * size..<(index + 1) * size] }
        return LabeledImages(rows: rows, columns: columns, pixels: pixels, labels: indices.map { labels[$0] })
    }

    /// The indices of a stratified sample of `count` images chosen by `seed`: each class gives
    /// its share of `count` (largest remainders break the rounding, lower classes first on ties),
    /// drawn by a seeded partial Fisher–Yates shuffle of that class's images. Ascending.
    public func stratifiedSample(_ count: Int, seed: UInt64) -> [Int] {
        precondition((0...self.count).contains(count))
        var members = [[Int]](repeating: [], count: 256)
        for (index, label) in labels.enumerated() { members[Int(label)].append(index) }
        let exact = members.map { Double($0.count) * Double(count) / Double(self.count) }
        var quota = exact.map { Int($0.rounded(.down)) }
        let byRemainder = (0..<256).sorted { (exact[$0] - Double(quota[$0]), $1) > (exact[$1] - Double(quota[$1]), $0) }
        for label in byRemainder.prefix(count - quota.reduce(0, +)) { quota[label] += 1 }
        var generator = SeededRandom(seed: seed, stream: 0x0000_7A11_DA7E)
        var chosen: [Int] = []
        for (label, var images) in members.enumerated() where quota[label] > 0 {
            // The first quota places of a Fisher–Yates shuffle.
            for place in 0..<quota[label] {
                images.swapAt(place, place + generator.nextIndex(below: images.count - place))
            }
            chosen += images.prefix(quota[label])
        }
        return chosen.sorted()
    }
}

extension MNIST {
    /// The data set with `count` training images held out as the validation set (a stratified
    /// sample chosen by `seed`, the same on every rank); the training set keeps the rest in
    /// their order. `count` 0 returns the data set unchanged.
    public func holdingOut(_ count: Int, seed: UInt64) -> MNIST {
        guard count > 0 else { return self }
        let held = train.stratifiedSample(count, seed: seed)
        var isHeld = [Bool](repeating: false, count: train.count)
        for index in held { isHeld[index] = true }
        let kept = (0..<train.count).filter { !isHeld[$0] }
        return MNIST(train: train.subset(kept), test: test, validation: train.subset(held), classes: classes,
                     filesCRC32: filesCRC32)
    }
}
