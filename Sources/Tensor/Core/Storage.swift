#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A reference-counted, 64-byte-aligned block of tensor elements.
///
/// Concrete tensors share a storage until one of them writes: writers check
/// `isKnownUniquelyReferenced` and copy when the storage is shared, so a tensor
/// value never changes under another owner.
final class Storage: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let byteCount: Int

    /// Number of storages allocated by this process, for tests that check that a
    /// code path allocates nothing.
    static let allocationCounter = Atomic<Int>(0)

    init(byteCount: Int) {
        var pointer: UnsafeMutableRawPointer?
        let status = posix_memalign(&pointer, 64, max(byteCount, 64))
        precondition(status == 0 && pointer != nil, "Tensor: failed to allocate \(byteCount) bytes")
        self.raw = pointer!
        self.byteCount = byteCount
        Storage.allocationCounter.add(1, ordering: .relaxed)
    }

    deinit {
        free(raw)
    }

    @inline(__always)
    func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: type)
    }

    /// A new storage holding the same bytes.
    func copy() -> Storage {
        let result = Storage(byteCount: byteCount)
        result.raw.copyMemory(from: raw, byteCount: byteCount)
        return result
    }
}

/// The number of tensor storages this process has allocated so far.
///
/// Useful to check that an in-place update or a warm loop allocates nothing.
public var tensorAllocationCount: Int {
    Storage.allocationCounter.load(ordering: .relaxed)
}
