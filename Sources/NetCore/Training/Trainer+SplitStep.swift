import Parallel

extension Trainer {
    /// One step with the first layer split by pixels between the network's threads
    /// (Network+InputSlices), as one round of phases on `team`, or on a team of its own when
    /// `team` is nil (several ranks: the allreduce comes between the gradients and the update).
    /// Phases, item i of each run by thread i when it can:
    /// 1. gather the batch from pixel slice i of the set, multiply it by the slice's rows, and
    ///    group it by pixel for phase 3 (when the layer is wide enough to gain from it);
    /// 2. the rest of the step for part i of the batch;
    /// 3. slice i's first-layer weight gradients, or with plain SGD applied here (`batchSize`
    ///    given, no momentum) the step on its weights and its share of the other parameters;
    /// 4. with `batchSize` and momentum, the update of slice i's parameters.
    /// Updates are skipped if the loss is not finite. Records the team's wall time to the end of
    /// the last gather (data), to the end of phase 2 (forward, which includes the output layer's
    /// backward) and to the end of phase 3 (backward); returns the end of phase 3.
    func splitStep(_ examples: UnsafeBufferPointer<Int32>, pixelSlices: [Int], team: ThreadTeam?,
                   updatingFor batchSize: Int?, since start: UInt64) throws -> UInt64 {
        let slices = pixelSlices.count - 1, count = examples.count
        let fused = batchSize != nil && optimizer.velocity.isEmpty
        let phases = [slices, slices, slices] + (batchSize == nil || fused ? [] : [slices])
        network.prepareSlices(count: count)
        // When each item finished, [phase, item], and when each gather did.
        let finished = UnsafeMutablePointer<UInt64>.allocate(capacity: (phases.count + 1) * slices)
        defer { finished.deallocate() }
        finished.initialize(repeating: start, count: (phases.count + 1) * slices)
        let gathered = finished + phases.count * slices
        let (network, images) = (self.network, train)
        try batchLabels.withUnsafeBufferPointer { labels in
            let labels = labels.baseAddress!, gradients = network.gradientBuffer
            try optimizer.withStep(parameters: network.parameters, gradientSum: gradients.baseAddress!,
                                   examples: batchSize ?? 1) { update in
                let work = { (phase: Int, item: Int) in
                    switch phase {
                    case 0:
                        images.gather(pixelSlice: item, examples: examples)
                        gathered[item] = PhaseTimes.now()
                        network.firstLayerProduct(input: images.input(pixelSlice: item), slice: item, count: count)
                        images.groupByPixel(slice: item)
                    case 1:
                        let rows = (item * count / slices)..<((item + 1) * count / slices)
                        network.finishExamples(rows, share: item, labels: labels)
                    case 2 where fused:
                        network.firstLayerWeightStep(input: images.input(pixelSlice: item, forBackward: true), slice: item,
                                                     count: count, step: update)
                    case 2:
                        network.firstLayerWeightGradient(input: images.input(pixelSlice: item, forBackward: true), slice: item,
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
        func latest(_ times: UnsafeMutablePointer<UInt64>) -> UInt64 { (0..<slices).map { times[$0] }.max()! }
        let dataEnd = latest(gathered), forwardEnd = latest(finished + slices)
        let backwardEnd = latest(finished + 2 * slices)
        times.record(.data, since: start, until: dataEnd)
        times.record(.forward, since: dataEnd, until: forwardEnd)
        times.record(.backward, since: forwardEnd, until: backwardEnd)
        return backwardEnd
    }
}
