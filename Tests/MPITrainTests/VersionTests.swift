import Foundation
import Testing

/// `mpitrain --version`: the version, the commit the binary was built from, the build configuration.
struct VersionTests {
    @Test func versionNamesTheCommitOfThisCloneAndTheConfiguration() throws {
        let result = try mpitrain(["--version"])
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .newlines)
        let match = try #require(line.wholeMatch(of: /mpitrain \d+\.\d+\.\d+ \(commit ([0-9a-f]{12}(?:-dirty)?|unknown), release build for native CPUs\)/),
                                 "\(line)")
        let head = try run(URL(fileURLWithPath: "/usr/bin/env"), ["git", "-C", Project.root.path, "rev-parse", "HEAD"])
        if head.status == 0 {
            #expect(match.1.hasPrefix(head.stdout.prefix(12)), "built from \(match.1), the clone is at \(head.stdout)")
        }
    }
}
