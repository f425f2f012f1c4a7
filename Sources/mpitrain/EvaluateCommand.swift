import ArgumentParser
import Foundation
import NetCore
import Distributed

/// `mpitrain evaluate --checkpoint FILE`: the test loss and accuracy of a saved model.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report the test accuracy of a model saved in a checkpoint.",
        discussion: "Runs as one process or under mpirun (the test set is split across the ranks).")

    @Option(help: ArgumentHelp("A checkpoint written by mpitrain --checkpoint.", valueName: "file"),
            completion: .file(extensions: ["safetensors"]))
    var checkpoint: String

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        let communicator = try Communicator.start(threads: compute.threads)
        communicator.runJob { try evaluate(on: communicator) }
    }

    private func evaluate(on communicator: Communicator) throws {
        let (saved, mnist) = try communicator.agreeing {
            let saved = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
            let folder = MNIST.locate(option: compute.data)
            let images = try MNIST.load(from: folder)
            guard images.test.pixelsPerImage == saved.configuration.model.inputs else {
                throw JobError.invalid("the images in \(folder.path) are \(images.test.rows)×\(images.test.columns), but the checkpoint's model takes \(saved.configuration.model.inputs) inputs; use the data set it was trained on")
            }
            guard images.classes == saved.configuration.model.classes else {
                throw JobError.invalid("the data in \(folder.path) has \(images.classes) classes, but the checkpoint's model was trained on \(saved.configuration.model.classes); use the data set it was trained on")
            }
            return (saved, images)
        }
        try communicator.checkSameData(mnist, folder: MNIST.locate(option: compute.data))
        let trainer = try Trainer(configuration: saved.configuration, data: mnist, communicator: communicator,
                                  threads: compute.threads ?? communicator.defaultThreads)
        try communicator.agreeing { try trainer.restore(saved) }
        try trainer.broadcastState()
        let evaluation = try trainer.evaluateTestSet()
        let position = saved.position
        let trained = position.isEpochBoundary ? "after \(counted(position.epochsCompleted, "epoch"))"
                                               : "in epoch \(position.epoch) after step \(position.stepsCompleted)"
        Console(communicator: communicator).print(
            "\(checkpoint): \(Checkpoint.describe(saved.configuration.model)) \(trained): "
                + "test loss \(fixed(evaluation.loss, 4)), test accuracy \(percent(evaluation.accuracy)) (\(evaluation.examples) images)")
    }
}
