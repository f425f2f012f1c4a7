/// Bytes in a cache line, and the width of one AVX-512 register.
let cacheLineBytes = 64

extension UnsafeMutablePointer where Pointee == Float {
    /// Uninitialized room for `capacity` floats starting on a cache-line boundary: a 128-float
    /// weight row then spans exactly eight lines, and no 16-float register load or store straddles
    /// two (measured, multiclass at batch 64: forward 0.060 → 0.051 s and backward 0.100 → 0.069 s
    /// per epoch against malloc's 16-byte alignment).
    /// Free with `deallocate()`.
    public static func allocateCacheAligned(capacity: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: cacheLineBytes)
            .bindMemory(to: Float.self, capacity: capacity)
    }
}
