import Foundation
import Testing

/// `$MPITRAIN_STOP_GRACE` is checked before the job starts: a value the wrapper cannot count with
/// would otherwise kill it at the first SIGTERM, leaving the job without its checkpoint.
@Test(arguments: ["abc", "2.5", "-1", "1e3"])
func aStopGraceThatIsNotWholeSecondsIsRefusedAtStart(_ value: String) throws {
    let result = try mpirun(ranks: 1, ["--model", "single", "--epochs", "1"], environment: ["MPITRAIN_STOP_GRACE": value], timeout: 60)
    #expect(result.status == 2)
    #expect(result.stderr == "scripts/mpirun: MPITRAIN_STOP_GRACE=\(value) is not a whole number of seconds; set it to e.g. 10, or unset it\n")
    #expect(!result.stdout.contains("epoch 1/"))
}
