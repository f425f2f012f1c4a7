import ArgumentParser
import Foundation
import NetCore

/// `mpitrain export --format pytorch CHECKPOINT OUT.safetensors`: the model of a checkpoint in
/// another framework's layout.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a checkpoint's model in another framework's layout.",
        discussion: """
            --format pytorch writes a safetensors state dict (fc1.weight [out, in], fc1.bias, fc2.…) \
            that nn.Sequential(OrderedDict(fc1=nn.Linear(…), act1=…, fc2=…)) loads with \
            load_state_dict; its metadata names the layer widths, activations and output (see the README).
            """)

    /// The layouts `export` writes.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case pytorch
    }

    @Option(help: "The layout to write.")
    var format: Format

    @Argument(help: ArgumentHelp("A checkpoint written by mpitrain --checkpoint.", valueName: "checkpoint"),
              completion: .file(extensions: ["safetensors"]))
    var checkpoint: String

    @Argument(help: ArgumentHelp("The file to write (refused if it exists, unless --overwrite).", valueName: "out"),
              completion: .file(extensions: ["safetensors"]))
    var out: String

    @Flag(help: "Replace OUT if it exists.")
    var overwrite = false

    func run() throws {
        runLocally {
            if isSameFile(checkpoint, out) {
                throw JobError.invalid("\(out) is the checkpoint \(checkpoint) itself; choose another file to export to")
            }
            let saved = try Checkpoint.read(from: URL(fileURLWithPath: checkpoint))
            let stateDict = try PyTorchExport.stateDict(saved)
            if !overwrite, try AtomicFile.destination(of: out).kind == .regular {
                throw JobError.invalid("\(out) already exists; pass --overwrite to replace it, or choose another file")
            }
            try AtomicFile.save(stateDict.encoded(), to: URL(fileURLWithPath: out))
            let names = stateDict.tensors.keys.sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            let layout = names.map { "\($0) \(stateDict.tensors[$0]!.shape)" }.joined(separator: ", ")
            print("\(out): \(Checkpoint.describe(saved.configuration.model)) as a PyTorch state dict (\(layout))")
        }
    }
}

/// Whether `a` and `b` name one file: the same path, a symbolic link to it or another hard link.
private func isSameFile(_ a: String, _ b: String) -> Bool {
    var first = stat(), second = stat()
    return stat(a, &first) == 0 && stat(b, &second) == 0 && first.st_dev == second.st_dev && first.st_ino == second.st_ino
}
