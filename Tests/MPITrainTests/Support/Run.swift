import Foundation

/// What a finished (or killed) child process left behind.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
    var timedOut: Bool

    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs `executable` with `arguments`, collecting both output streams; kills it after `timeout` seconds.
func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
         timeout: Double = 120) throws -> RunResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice

    let outputData = PipeCollector(output), errorData = PipeCollector(errors)
    let start = Date()
    try process.run()
    let deadline = start.addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
        if Date() > deadline {
            timedOut = true
            process.terminate()
            Thread.sleep(forTimeInterval: 2)
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            break
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: outputData.text(), stderr: errorData.text(),
                     seconds: Date().timeIntervalSince(start), timedOut: timedOut)
}

/// Runs the release `mpitrain` as a single process.
func mpitrain(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 120) throws -> RunResult {
    try run(Project.binary, arguments, environment: environment, timeout: timeout)
}

/// Runs the release `mpitrain` under real `mpirun -np ranks` through the project's wrapper.
func mpirun(ranks: Int, _ arguments: [String], environment: [String: String] = [:],
            timeout: Double = 120) throws -> RunResult {
    try run(Project.mpirun, ["-np", String(ranks), Project.binary.path] + arguments,
            environment: environment, timeout: timeout)
}

/// Reads a pipe to its end on a background thread, so a chatty child never blocks on a full pipe.
final class PipeCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func text() -> String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
