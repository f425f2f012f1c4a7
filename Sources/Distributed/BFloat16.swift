import CMPI
import Parallel

/// bfloat16 on the wire: the MPI reduction that sums it.
extension BFloat16 {
    /// The MPI reduction of bfloat16 buffers: each pair is added in float, the sum rounded to bfloat16.
    static let sum: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?,
                                     UnsafeMutablePointer<MPI_Datatype?>?) -> Void = { input, output, length, _ in
        guard let input, let output, let length else { return }
        let incoming = input.assumingMemoryBound(to: UInt16.self), sums = output.assumingMemoryBound(to: UInt16.self)
        for i in 0..<Int(length.pointee) { sums[i] = bits(float(incoming[i]) + float(sums[i])) }
    }
}
