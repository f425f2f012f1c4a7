import Foundation

/// The name a report gives the data a run was trained on, from the data folder: "MNIST" for the
/// project's data/ or a folder named mnist, "Fashion-MNIST" for a fashion-mnist folder (Debian's
/// dataset-fashion-mnist), else the folder's own name.
public struct DataSetName: Equatable, Sendable {
    /// The name as written in the report.
    public let text: String

    /// The name of the data in `folder`.
    public init(folder: URL) {
        let name = folder.standardizedFileURL.lastPathComponent
        let lowered = name.lowercased()
        if lowered.contains("fashion") {
            text = "Fashion-MNIST"
        } else if lowered.contains("kmnist") || lowered.contains("kuzushiji") {
            text = "Kuzushiji-MNIST"
        } else if ["mnist", "data", ""].contains(lowered) {
            text = "MNIST"
        } else {
            text = name
        }
    }
}
