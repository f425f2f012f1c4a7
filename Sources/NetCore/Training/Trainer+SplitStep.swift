import Parallel

extension Trainer {
    /// One step with the first layer split by pixels between the network's threads
    /// (Network+InputSlices), as one round of phases on `team`, or on a team of its own when
    /// `team` is nil (several ranks: the allreduce comes between the gradients and the update).
    /// Phases: gather (the batch in parts), products (pixel slices), the rest of the step (the
    /// batch in parts), first-layer weight gradients (pixel slices), and with `batchSize` the
    /// update of each slice's parameters, skipped if the loss is not finite. Records the team's
    /// wall time to each phase's end: data (gather), forward (products, then the rest of the
    /// step, which includes the output layer's backward) and backward (first-layer weight
    /// gradients); returns the end of the backward.
    func splitStep(_ examples: UnsafeBufferPointer<Int32>, pixelSlices: [Int], team: ThreadTeam?,
                   updatingFor batchSize: Int?, since start: UInt64) throws -> UInt64 {
        let slices = pixelSlices.count - 1, count = examples.count
        let phases = [slices, slices, slices, slices] + (batchSize == nil ? [] : [slices])
        network.prepareSlices(count: count)
        // When each item finished, [phase, item].
        let finished = UnsafeMutablePointer<UInt64>.allocate(capacity: phases.count * slices)
        defer { finished.deallocate() }
        finished.initialize(repeating: start, count: phases.count * slices)
        let (network, images) = (self.network, train)
        try batchImages.withUnsafeMutableBufferPointer { scratch in
            try batchLabels.withUnsafeBufferPointer { labels in
                let scratch = scratch.baseAddress!, labels = labels.baseAddress!
                _ = images.prepareInput(examples: examples, scratch: scratch, pixelSlices: pixelSlices)
                let gradients = network.gradientBuffer
                try optimizer.withStep(parameters: network.parameters, gradientSum: gradients.baseAddress!,
                                       examples: batchSize ?? 1) { update in
                    let work = { (phase: Int, item: Int) in
                        switch phase {
                        case 0: images.gather(part: item, of: slices, examples: examples, scratch: scratch)
                        case 1:
                            network.firstLayerProduct(input: images.input(pixelSlice: item), slice: item, count: count)
                        case 2:
                            let rows = (item * count / slices)..<((item + 1) * count / slices)
                            network.finishExamples(rows, share: item, labels: labels)
                        case 3:
                            network.firstLayerWeightGradient(input: images.input(pixelSlice: item), slice: item,
                                                             count: count)
                        default:
                            guard gradients[network.parameterCount].isFinite else { break }
                            let pixels = pixelSlices[item]..<pixelSlices[item + 1]
                            for range in network.parameterRanges(pixels: pixels, first: item == 0) {
                                update.apply(range)
                            }
                        }
                        finished[phase * slices + item] = PhaseTimes.now()
                    }
                    if let team {
                        team.runPhases(phases, work)
                    } else {
                        try ThreadTeam.run(threads: slices) { $0.runPhases(phases, work) }
                    }
                }
            }
        }
        func end(_ phase: Int) -> UInt64 { (0..<phases[phase]).map { finished[phase * slices + $0] }.max()! }
        times.record(.data, since: start, until: end(0))
        times.record(.forward, since: end(0), until: end(2))
        times.record(.backward, since: end(2), until: end(3))
        return end(3)
    }
}
