import CMPI

// MARK: - The step's gradient allreduce

extension Communicator {
    /// Sums the step's gradient buffer over all ranks, in place, in `allreducePrecision`: fp32 as
    /// `allreduceSum`; bf16 rounds the gradients to bfloat16 and sends half the bytes, summed pair
    /// by pair in float (the MPI reduction `BFloat16.sum`), while the trailing `statistics` floats
    /// travel in fp32 in a second allreduce started alongside. On one node (the shared-memory
    /// reduction, nothing on a wire) bf16 rounds the gradients alike and sums them in float.
    public func allreduceGradients(_ buffer: UnsafeMutableBufferPointer<Float>, statistics: Int) throws {
        let count = buffer.count - statistics
        guard usesMPI, allreducePrecision == .bf16, count > 0 else { return try allreduceSum(buffer) }
        let gradients = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
        if nodeReduction != nil {
            for i in gradients.indices { gradients[i] = BFloat16.float(BFloat16.bits(gradients[i])) }
            return try allreduceSum(buffer)
        }
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
