import Foundation

/// A child process left running, for tests that signal or kill it (or one of its ranks) mid-run.
///
/// Started with `posix_spawn` and an empty signal mask: the test runner blocks most signals and
/// `Process` passes that mask on, so a shell (scripts/mpirun) could never see the SIGINT a user sends.
final class BackgroundJob {
    let pid: Int32
    private let output: PipeCollector, errors: PipeCollector
    private let start = Date()
    private var status: Int32?

    /// Starts `executable` with `arguments`; both output streams are collected.
    init(_ executable: URL, _ arguments: [String]) throws {
        let outputPipe = Pipe(), errorPipe = Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe.fileHandleForWriting.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe.fileHandleForWriting.fileDescriptor, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, executable.path, &actions, &attributes, argv, environ)
        guard code == 0 else { throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EINVAL) }
        pid = child
        try outputPipe.fileHandleForWriting.close()
        try errorPipe.fileHandleForWriting.close()
        output = PipeCollector(outputPipe)
        errors = PipeCollector(errorPipe)
    }

    /// Whether the process is still running (reaps it when it has ended).
    var isRunning: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        guard waitpid(pid, &raw, WNOHANG) == pid else { return true }
        status = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        return false
    }

    /// Waits until `condition` holds (true) or `timeout` seconds pass (false).
    func waitFor(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    /// Waits for the process to end (killing it after `timeout` seconds) and returns what it left;
    /// `status` is the exit status, or 128 + the signal that ended it.
    func finish(timeout: Double) -> RunResult {
        let ended = waitFor(timeout: timeout) { !isRunning }
        if !ended {
            kill(pid, SIGKILL)
            _ = waitFor(timeout: 10) { !isRunning }
        }
        return RunResult(status: status ?? -1, stdout: output.text(), stderr: errors.text(),
                         seconds: Date().timeIntervalSince(start), timedOut: !ended)
    }
}

/// Processes whose command line contains `marker` and whose program is mpitrain: the ranks of a
/// job (not the scripts/mpirun wrapper or mpirun, whose arguments mention the marker too);
/// with `anyProgram`, those as well.
func mpitrainProcesses(marked marker: String, anyProgram: Bool = false) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return (anyProgram || arguments.first?.hasSuffix("mpitrain") == true) && arguments.contains { $0.contains(marker) }
    }.sorted()
}

/// The value of the environment variable `name` that process `pid` started with (nil: not set, or
/// no such process).
func environmentVariable(_ name: String, ofProcess pid: Int32) -> String? {
    let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data()
    let prefix = name + "="
    return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        .first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
}

/// The lines a failing run printed to standard error as errors.
func errorLines(_ result: RunResult) -> [String] {
    result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("mpitrain: error:") }
}

/// The release `mpitrain` as one process (`ranks == 1`) or under `mpirun -np ranks`.
func train(ranks: Int, _ arguments: [String], timeout: Double = 120) throws -> RunResult {
    ranks == 1 ? try mpitrain(arguments, timeout: timeout) : try mpirun(ranks: ranks, arguments, timeout: timeout)
}

/// Starts the release `mpitrain` in the background, as one process or under `mpirun -np ranks`.
func startTraining(ranks: Int, _ arguments: [String]) throws -> BackgroundJob {
    ranks == 1 ? try BackgroundJob(Project.binary, arguments)
               : try BackgroundJob(Project.mpirun, ["-np", String(ranks), Project.binary.path] + arguments)
}
