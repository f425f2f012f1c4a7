import CMPI

/// A failed MPI call: which call, where it was made, and MPI's own explanation.
public struct MPIError: Error, CustomStringConvertible, Sendable {
    /// The MPI function that failed, e.g. `MPI_Allreduce`.
    public let call: String
    /// The MPI error code it returned.
    public let code: Int32
    /// `MPI_Error_string` for `code`.
    public let message: String
    public let file: String
    public let line: Int

    public var description: String {
        "\(call) failed at \(file):\(line): \(message) (MPI error \(code))"
    }
}

/// Runs one MPI call and turns a non-success return code into an `MPIError`,
/// the Swift twin of llm.c's `mpiCheck(...)`.
func mpiCheck(_ call: String, file: String = #fileID, line: Int = #line, _ body: () -> Int32) throws {
    let code = body()
    guard code != MPI_SUCCESS else { return }
    throw MPIError(call: call, code: code, message: mpiErrorString(code), file: file, line: line)
}

/// `MPI_Error_string` as a Swift string.
func mpiErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
    var length: Int32 = 0
    guard MPI_Error_string(code, &buffer, &length) == MPI_SUCCESS else { return "unknown MPI error" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
