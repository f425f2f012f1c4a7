import Foundation

/// The memory a run on this node may use: its physical memory, or its control group's limit
/// (`/sys/fs/cgroup/memory.max`, a container's) when that is lower.
public enum NodeMemory {
    /// The usable bytes.
    public static var bytes: Double {
        let physical = Double(ProcessInfo.processInfo.physicalMemory)
        guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
              let limit = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return physical }
        return min(physical, limit)
    }

    /// `bytes` for people: "155.1 GB", "812 MB".
    public static func describe(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.1f GB", bytes / 1e9) : String(format: "%.0f MB", max(1, bytes / 1e6))
    }
}
