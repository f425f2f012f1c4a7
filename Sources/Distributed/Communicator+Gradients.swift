import CMPI
import Parallel

// MARK: - The step's gradient allreduce

extension Communicator {
    /// Sums the step's gradient buffer over all ranks in `allreducePrecision`, and returns where
    /// the sums are: fp32 as `allreduceSum`, in place; bf16 rounds the gradients to bfloat16 and
    /// sends half the bytes, summed pair by pair in float (the MPI reduction `BFloat16.sum`), while
    /// the trailing `statistics` floats travel in fp32 in a second allreduce started alongside. On
    /// one node the shared-memory reduction leaves the sums in the memory the ranks share (no copy
    /// back), bf16 rounding the gradients alike and summing them in float.
    public func allreduceGradients(_ buffer: UnsafeMutableBufferPointer<Float>, statistics: Int) throws -> UnsafeBufferPointer<Float> {
        let count = buffer.count - statistics
        if usesMPI, buffer.count > 0, let nodeReduction, nodeReduction.takes(UnsafeBufferPointer(buffer)) {
            if allreducePrecision == .bf16 {
                for i in 0..<count { buffer[i] = BFloat16.float(BFloat16.bits(buffer[i])) }
            }
            return try nodeReduction.allreduceSum(UnsafeBufferPointer(buffer), stallTimeout: stallTimeout, meet: barrier)
        }
        guard usesMPI, allreducePrecision == .bf16, count > 0 else {
            try allreduceSum(buffer)
            return UnsafeBufferPointer(buffer)
        }
        let gradients = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
        if wire.count != count { wire = [UInt16](repeating: 0, count: count) }
        let sum = try bfloat16SumOperation()
        let tail = buffer.baseAddress! + count
        try wire.withUnsafeMutableBufferPointer { wire in
            BFloat16.encode(UnsafeBufferPointer(gradients), into: wire.baseAddress!)
            try collective("MPI_Iallreduce", requests: 2) { requests in
                let code = MPI_Iallreduce(cmpi_in_place(), wire.baseAddress, Int32(count), cmpi_uint16(), sum,
                                          cmpi_comm_world(), requests)
                guard code == MPI_SUCCESS else { return code }
                return MPI_Iallreduce(cmpi_in_place(), tail, Int32(statistics), cmpi_float(), cmpi_op_sum(),
                                      cmpi_comm_world(), requests + 1)
            }
            BFloat16.decode(wire.baseAddress!, into: gradients)
        }
        return UnsafeBufferPointer(buffer)
    }

    /// This rank's slot in the node's shared window, for the step's gradient buffer of `count`
    /// floats, when one node's ranks sum through shared memory (`allreduceGradients` then copies
    /// nothing in); nil otherwise. A collective call: every rank of the job makes it.
    public func gradientStorage(count: Int) throws -> UnsafeMutablePointer<Float>? {
        guard usesMPI, let nodeReduction else { return nil }
        return try nodeReduction.slot(count: count, meet: barrier)
    }

    /// The MPI reduction over bfloat16 buffers, created at first use (commutative).
    private func bfloat16SumOperation() throws -> MPI_Op {
        if let bfloat16Sum { return bfloat16Sum }
        var operation: MPI_Op?
        try mpiCheck("MPI_Op_create") { MPI_Op_create(BFloat16.sum, 1, &operation) }
        bfloat16Sum = operation
        return operation!
    }
}
