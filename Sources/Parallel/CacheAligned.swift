/// Bytes in a cache line, and the width of one AVX-512 register.
let cacheLineBytes = 64

extension UnsafeMutablePointer where Pointee == Float {
    /// Uninitialized room for `capacity` floats starting on a cache-line boundary: a 128-float
    /// weight row then spans exactly eight lines, and no 16-float register load or store straddles
    /// two (malloc aligns to 16 bytes only).
    /// Free with `deallocate()`.
    public static func allocateCacheAligned(capacity: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: capacity * MemoryLayout<Float>.stride, alignment: cacheLineBytes)
            .bindMemory(to: Float.self, capacity: capacity)
    }
}
