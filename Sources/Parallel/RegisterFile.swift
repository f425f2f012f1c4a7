import VectorRegisters

/// The vector registers of the CPU this module is compiled for: 32 of 16 floats with AVX-512,
/// 16 of 8 with AVX2, 16 of 4 otherwise. Register blocks that hold more than the file spill to
/// the stack on every iteration, so the kernels size their blocks by it. Constants the
/// optimizer folds: a choice made on them costs nothing at run time.
enum RegisterFile {
    /// Vector registers.
    static var count: Int { Int(MPITRAIN_VECTOR_REGISTERS) }
    /// Floats in one vector register.
    static var floatsPerRegister: Int { Int(MPITRAIN_VECTOR_FLOATS) }
    /// Floats the whole file holds.
    static var floats: Int { count * floatsPerRegister }
}
