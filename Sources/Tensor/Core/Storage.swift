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
        self.byteCount = byteCount
        Storage.allocationCounter.add(1, ordering: .relaxed)
        if let reused = BufferCache.shared.take(byteCount: byteCount) {
            self.raw = reused
            return
        }
        let large = byteCount >= Storage.hugePageMinimum
        var pointer: UnsafeMutableRawPointer?
        let status = posix_memalign(&pointer, large ? Storage.hugePageSize : 64, max(byteCount, 64))
        precondition(status == 0 && pointer != nil, "Tensor: failed to allocate \(byteCount) bytes")
        self.raw = pointer!
        #if os(Linux)
        // Large tensors such as a data set read rows at random, and with 4 KiB pages
        // nearly every row costs a page-table walk. Transparent huge pages need a request
        // per region on systems set to `madvise`; elsewhere the call changes nothing.
        if large { _ = madvise(pointer, byteCount, MADV_HUGEPAGE) }
        #endif
    }

    /// Storages of at least this many bytes start at a huge-page boundary and ask the
    /// kernel for huge pages.
    static let hugePageMinimum = 8 << 20
    static let hugePageSize = 2 << 20

    deinit {
        if !BufferCache.shared.keep(raw, byteCount: byteCount) {
            free(raw)
        }
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

/// Freed tensor buffers of 4 KiB and more, kept for reuse by size.
///
/// Training loops allocate the same sizes every step; reusing their buffers avoids the
/// page faults and `mmap` calls that large fresh allocations cost. At most 512 MiB are
/// kept; beyond that, buffers go back to the system.
final class BufferCache: Sendable {
    static let shared = BufferCache()

    private struct State {
        var buffers: [Int: [UInt]] = [:]
        var bytes = 0
    }

    private let state = Mutex(State())
    private let minimumBytes = 4096
    private let capacityBytes = 512 << 20

    func take(byteCount: Int) -> UnsafeMutableRawPointer? {
        guard byteCount >= minimumBytes else { return nil }
        let address: UInt? = state.withLock { state in
            guard let address = state.buffers[byteCount]?.popLast() else { return nil }
            state.bytes -= byteCount
            return address
        }
        return address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
    }

    /// Keeps `pointer` for reuse and returns true, or returns false when the caller
    /// must free it.
    func keep(_ pointer: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
        guard byteCount >= minimumBytes else { return false }
        let address = UInt(bitPattern: pointer)
        let capacity = capacityBytes
        return state.withLock { state in
            guard state.bytes + byteCount <= capacity else { return false }
            state.buffers[byteCount, default: []].append(address)
            state.bytes += byteCount
            return true
        }
    }
}
