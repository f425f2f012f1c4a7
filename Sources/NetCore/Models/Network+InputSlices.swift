import Parallel

/// A step with the first layer's inputs (pixels) split between threads: each slice of pixels
/// owns its rows of the first layer's weights, which are contiguous in the parameter, gradient
/// and velocity buffers. Forward, each thread multiplies its pixels of the batch by its rows;
/// backward, it computes the gradient of its rows, or with plain SGD adds the step into them.
///
/// Splitting the batch instead would have every thread read all of the weights and sum everyone's
/// gradients each step (≈ 400 KB crossing between cores per step, measured to cost what the second
/// core saves), and splitting the hidden units would interleave the threads' columns within each
/// 512-byte weight row (measured 7× slower backward: the cores keep taking the lines from each
/// other). Split by pixels, only the [batch, width] shares of x·W, the gradient behind the first
/// layer and the shares of the batch-wide gradients cross cores.
///
/// A step is three phases, each finished before the next starts (four when the caller updates):
/// 1. `firstLayerProduct(input:slice:count:)` for every slice, with the batch's entries in that
///    slice's pixels: its share of x·W;
/// 2. `finishExamples(_:share:labels:)` for every thread's share of the examples: the rest of
///    forward, the loss, backward down to the first layer, and the share's part of the
///    gradients that sum over the batch (output layer, biases);
/// 3. `firstLayerWeightGradient(input:slice:count:)` for every slice: its rows of dW, and part of
///    the batch-wide gradients added up from the shares; then 4. the caller's update of each
///    slice's `parameterRanges(pixels:first:)`. Or, with plain SGD, `firstLayerWeightStep`,
///    which takes the step itself.
/// The gradients equal `computeGradients`' up to the order in which the shares are added.
extension Network {
    /// Makes the scratch ready for a split step of `count` (> 0) examples, before the phases.
    public func prepareSlices(count: Int) {
        precondition(count > 0 && threads > 1)
        workspace.reserve(batch: count)
    }

    /// Phase 1 for slice `slice`, whose threads' share of the batch is `input` (the batch's
    /// entries in the slice's pixels): that share of the first layer's x·W.
    public func firstLayerProduct(input: LayerInput, slice: Int, count: Int) {
        layers[0].product(workspace.partialProduct(slice), inputs: input, parameters: parameterStorage, batch: count)
    }

    /// Phase 2, for the examples `rows` of the batch (the threads split the batch for this
    /// phase): adds the slices' shares of x·W (in slice order), then runs the rest of the forward
    /// pass, the loss (kept as the share `share` of the statistics), backward down to the first
    /// layer, and these examples' share of the output layer's and the first layer's bias gradients.
    public func finishExamples(_ rows: Range<Int>, share: Int, labels: UnsafePointer<UInt8>) {
        let width = layers[0].outputs, first = rows.lowerBound * width, elements = rows.count * width
        let sum = firstLayerOutputs + first
        sum.update(from: workspace.partialProduct(0) + first, count: elements)
        for slice in 1..<threads {
            let partial = workspace.partialProduct(slice) + first
            for index in 0..<elements { sum[index] += partial[index] }
        }
        forwardFromFirstProduct(rows: rows, threads: 1)
        let (loss, correct) = evaluateLoss(predictions: nil, labels: labels, rows: rows)
        workspace.shareStatistics[2 * share] = loss
        workspace.shareStatistics[2 * share + 1] = Double(correct)
        backpropagate(rows: rows, threads: 1)
        let gradients = workspace.shareGradients(share)
        outputLayerGradients(rows: rows, into: gradients, threads: 1)
        firstLayerBiasGradient(rows: rows, into: gradients)
    }

    /// Phase 3 for slice `slice`: its rows of the first layer's weight gradient, from `input`
    /// (the batch's entries in the slice's pixels), and its part of the batch-wide gradients.
    public func firstLayerWeightGradient(input: LayerInput, slice: Int, count: Int) {
        layers[0].weightGradient(gradientStorage, outputGradients: firstLayerGradients, inputs: input, batch: count)
        batchWideGradients(slice: slice)
    }

    /// Phase 3 and the update in one, in place of `firstLayerWeightGradient` and phase 4, when
    /// the update `step` is plain SGD: the slice adds the step into its rows of the first layer's
    /// weights directly, W ← W − (η / examples)·xᵀ·dz, so those rows have no gradient to write,
    /// zero, or read back; then computes its share of the batch-wide gradients and applies `step`
    /// to them. Nothing is updated if the batch's loss is not finite.
    public func firstLayerWeightStep(input: LayerInput, slice: Int, count: Int, step: SGD.Step) {
        guard let factor = step.plainFactor else { preconditionFailure("a fused step needs plain SGD") }
        let finite = (0..<threads).allSatisfy { workspace.shareStatistics[2 * $0].isFinite }
        if finite {
            layers[0].descendWeights(parameterStorage, outputGradients: firstLayerGradients, inputs: input,
                                     factor: factor, batch: count)
        }
        batchWideGradients(slice: slice)
        guard finite else { return }
        for range in batchWideRanges(slice: slice) { step.apply(range) }
    }

    /// The gradients that sum over the whole batch, added up from the shares of phase 2 in share
    /// order: slice `slice`'s `batchWideRanges`, and the statistics for the last slice.
    private func batchWideGradients(slice: Int) {
        for range in batchWideRanges(slice: slice) { addShares(range) }
        guard slice == threads - 1 else { return }
        var loss = 0.0, correct = 0.0
        for share in 0..<threads {
            loss += workspace.shareStatistics[2 * share]
            correct += workspace.shareStatistics[2 * share + 1]
        }
        gradientStorage[parameterCount] = Float(loss)
        gradientStorage[parameterCount + 1] = Float(correct)
    }

    /// The parameters whose gradients sum over the batch that slice `slice` adds up (and, in a
    /// plain step, updates), split so that no slice waits long for another: the output layer's
    /// for slice 0, the first layer's bias for the last slice.
    private func batchWideRanges(slice: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        if slice == 0, layers.count == 2 { ranges.append(layers[1].weightsOffset..<parameterCount) }
        if slice == threads - 1 { ranges.append(layers[0].biasOffset..<(layers[0].biasOffset + layers[0].outputs)) }
        return ranges
    }

    /// gradients[range] = the shares' gradients[range], summed.
    private func addShares(_ range: Range<Int>) {
        let target = gradientStorage + range.lowerBound
        target.update(from: workspace.shareGradients(0) + range.lowerBound, count: range.count)
        for share in 1..<threads {
            let source = workspace.shareGradients(share) + range.lowerBound
            for index in 0..<range.count { target[index] += source[index] }
        }
    }

    /// The parameters the slice of pixels `pixels` owns, as ranges of `parameters`: its rows of the
    /// first layer's weights, and for the `first` slice every other parameter as well.
    public func parameterRanges(pixels: Range<Int>, first: Bool) -> [Range<Int>] {
        let layer = layers[0]
        let rows = (layer.weightsOffset + pixels.lowerBound * layer.outputs)..<(layer.weightsOffset
            + pixels.upperBound * layer.outputs)
        return first ? [rows, layer.biasOffset..<parameterCount] : [rows]
    }
}
