/// What `mpitrain --version` prints: the version, the commit it was built from and how it was built.
enum Version {
    /// The version of mpitrain.
    static let number = "0.1.0"

    /// The build configuration: "release" or "debug" (about 140× slower to train).
    static var configuration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// "mpitrain 0.1.0 (commit 3756272a1b2c, release build)".
    static var description: String {
        "mpitrain \(number) (commit \(gitCommit), \(configuration) build)"
    }
}
