import Foundation
import NetCore

/// How a run reports progress on rank 0: a line per epoch, and on a terminal also a status line
/// redrawn in place during the epoch (steps done, loss so far, samples per second, time left).
/// `--quiet` prints nothing but errors.
struct ProgressDisplay {
    enum Style {
        /// Nothing at all.
        case quiet
        /// Plain lines, one per epoch: for files and pipes.
        case lines
        /// Plain lines plus a status line redrawn in place with `\r`.
        case terminal
    }

    let style: Style
    let console: Console
    private var lastRedraw: UInt64 = 0
    private var runStart = Date()
    /// Epochs the run had completed when this process started it (a fraction inside an epoch).
    private var startPosition = 0.0

    /// A display for rank 0's standard output: `.terminal` when it is a terminal, `.lines` otherwise.
    /// Under MPI the launcher relays output through a pseudo-terminal whatever the user's output
    /// is, so ranks cannot tell and use `.lines`.
    init(console: Console, quiet: Bool) {
        self.console = console
        let terminal = isatty(STDOUT_FILENO) == 1 && !console.communicator.usesMPI
        style = quiet ? .quiet : (terminal ? .terminal : .lines)
    }

    /// Prints a line that stays (run header, summary), unless quiet.
    func line(_ text: String) {
        guard style != .quiet else { return }
        console.print(text)
    }

    /// Starts timing the run, for the time-left estimates; `position` is the epochs already
    /// completed (by the run a resumed one continues), which this process's speed does not include.
    mutating func startRun(at position: Double = 0) {
        runStart = Date()
        startPosition = position
    }

    /// Redraws the in-place status line during an epoch, at most ten times a second.
    mutating func step(epoch: Int, epochs: Int, done: Int, steps: Int, loss: Double, examplesPerStep: Int,
                       epochStart: Date) {
        guard style == .terminal, console.communicator.isRoot else { return }
        let now = PhaseTimes.now()
        guard now &- lastRedraw > 100_000_000 || done == steps else { return }
        lastRedraw = now
        let elapsed = Date().timeIntervalSince(epochStart)
        let rate = Double(done * examplesPerStep) / max(elapsed, 1e-9)
        let position = Double(epoch - 1) + Double(done) / Double(steps)
        let runLeft = Date().timeIntervalSince(runStart) / max(position - startPosition, 1e-9) * (Double(epochs) - position)
        let head = "epoch \(epoch)/\(epochs)", bar = " " + percentBar(done, steps), tail = " loss \(fixed(loss, 4))"
        let rateText = "  \(Int(rate)) samples/s", left = "  \(duration(runLeft)) left"
        // The fullest form that fits the terminal (a line that wraps cannot be redrawn in place),
        // dropping the speed, then the bar; cut as a last resort.
        let width = max(Self.terminalColumns() - 1, 1)
        let status = [head + bar + tail + rateText + left, head + bar + tail + left, head + tail + left]
            .first { $0.count <= width } ?? String((head + tail + left).prefix(width))
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K\(status)".utf8))
    }

    /// Prints the epoch's line (replacing the status line on a terminal), with the time left.
    func epoch(_ metrics: EpochMetrics, elapsed: Double) {
        guard style != .quiet else { return }
        let left = elapsed / max(Double(metrics.epoch) - startPosition, 1) * Double(metrics.epochs - metrics.epoch)
        let line = EpochLine(metrics).text + "  \(Int(metrics.samplesPerSecond ?? 0)) samples/s  \(duration(left)) left"
        if style == .terminal, console.communicator.isRoot { FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8)) }
        console.print(line)
    }

    /// The width of the terminal on standard output (80 when it cannot be read).
    static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private func percentBar(_ done: Int, _ total: Int) -> String {
        let width = 20, filled = done * width / max(total, 1)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }
}

/// A duration as "1:02:03", "2:03" or "0:04".
func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let total = Int(seconds.rounded())
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
    return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%d:%02d", minutes, secs)
}
