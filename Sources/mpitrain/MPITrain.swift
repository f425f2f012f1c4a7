import ArgumentParser

/// `mpitrain`: data-parallel training of the MNIST lab's networks on OpenMPI.
@main
struct MPITrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpitrain",
        abstract: "Data-parallel neural-network training on MNIST over MPI.",
        discussion: """
            Run as a single process (`mpitrain --model single`) or under MPI \
            (`scripts/mpirun -np 4 mpitrain --model multiclass`).
            """,
        subcommands: [Train.self, SelfTest.self, BenchGEMM.self],
        defaultSubcommand: Train.self
    )
}
