/// A user-facing failure: one line saying what is wrong and what to do.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
