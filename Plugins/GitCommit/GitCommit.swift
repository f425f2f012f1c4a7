import Foundation
import PackagePlugin

/// Before every build, writes `GitCommit.swift` — `let gitCommit = "…"`, the output of
/// `git describe --always --dirty --abbrev=12` in the package folder, or "unknown" outside a git
/// clone or without git — so `mpitrain --version` names the commit it was built from. The file is
/// rewritten only when the commit changes, so an unchanged tree rebuilds nothing; nothing is
/// written into the source tree.
@main
struct GitCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = """
            commit=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null) || commit=unknown
            mkdir -p "$2"
            text="/// The commit this binary was built from (git describe --always --dirty; see Plugins/GitCommit).
            let gitCommit = \\"$commit\\""
            [ "$(cat "$2/GitCommit.swift" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$2/GitCommit.swift"
            """
        return [.prebuildCommand(displayName: "Recording the git commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
                                 outputFilesDirectory: output)]
    }
}
