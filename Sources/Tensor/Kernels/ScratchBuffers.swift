import Synchronization

/// Float buffers that kernels borrow for the length of one call, such as the blocks of a
/// fused pass, so that a warm training step allocates none. A buffer returns to the pool
/// when the call ends, and the next call of the same size takes it again.
///
/// The pool keeps at most `keptBufferCount` buffers (two threads of `Parallel`, each
/// with a pass's blocks and partial sums, need four). A request larger than every kept
/// buffer allocates a new one.
enum ScratchBuffers {
    private struct Buffer: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        let capacity: Int
    }

    private static let keptBufferCount = 8
    private static let pool = Mutex<[Buffer]>([])

    /// Calls `body` with a buffer of at least `capacity` floats, whose contents are
    /// undefined, and takes the buffer back when `body` returns.
    static func withBuffer<R>(capacity: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = take(capacity)
        defer { give(buffer) }
        return try body(buffer.pointer)
    }

    /// Returns the smallest kept buffer of at least `capacity` floats, or a new one.
    private static func take(_ capacity: Int) -> Buffer {
        let reused = pool.withLock { buffers -> Buffer? in
            let fitting = buffers.indices.filter { buffers[$0].capacity >= capacity }
            guard let best = fitting.min(by: { buffers[$0].capacity < buffers[$1].capacity }) else { return nil }
            return buffers.remove(at: best)
        }
        if let reused { return reused }
        return Buffer(pointer: .allocate(capacity: max(capacity, 1)), capacity: max(capacity, 1))
    }

    /// Keeps `buffer` for later calls, freeing the smallest buffer when the pool is full.
    private static func give(_ buffer: Buffer) {
        let dropped = pool.withLock { buffers -> Buffer? in
            buffers.append(buffer)
            guard buffers.count > keptBufferCount else { return nil }
            let smallest = buffers.indices.min { buffers[$0].capacity < buffers[$1].capacity }!
            return buffers.remove(at: smallest)
        }
        dropped?.pointer.deallocate()
    }
}
