extension Trainer {
    /// A checkpoint of the current parameters, optimizer state and position (identical on every rank).
    public func checkpoint() -> Checkpoint {
        Checkpoint(network: network, optimizer: optimizer, configuration: configuration,
                   position: position, ranks: communicator.size)
    }

    /// Continues from `checkpoint`: its parameters, optimizer state and position (no collective: call
    /// `broadcastState()` once every rank has restored). Throws if the checkpoint is of another model, another seed, another batch size or
    /// another validation size (these decide which examples the remaining steps see).
    public func restore(_ checkpoint: Checkpoint) throws {
        let saved = checkpoint.configuration
        func mismatch(_ what: String, _ option: String, _ theirs: String, _ ours: String) -> CheckpointError {
            CheckpointError(problem: "was written with \(what) \(theirs), this run has \(ours)",
                            remedy: "resume with \(option) \(theirs)")
        }
        if saved.seed != configuration.seed {
            throw mismatch("seed", "--seed", String(saved.seed), String(configuration.seed))
        }
        if saved.batchSize != configuration.batchSize {
            throw mismatch("batch size", "--batch-size", String(saved.batchSize), String(configuration.batchSize))
        }
        if saved.validation != configuration.validation {
            throw mismatch("a validation set of", "--validation", String(saved.validation), String(configuration.validation))
        }
        try checkpoint.restore(into: network, optimizer: &optimizer)
        position = checkpoint.position
    }

    /// Copies rank 0's parameters and optimizer state to every rank, so all hold the same bits.
    public func broadcastState() throws {
        try communicator.broadcast(network.parameters)
        for prefix in optimizer.usedStatePrefixes {
            var state = optimizer[state: prefix]
            try communicator.broadcast(&state)
            optimizer[state: prefix] = state
        }
    }
}
