#if canImport(Glibc)
import Glibc
#endif
import CKernels
import Synchronization

/// Shares a kernel's work between the calling thread and one helper thread, so that a
/// training step uses both cores of a two-core machine.
///
/// Work comes in numbered parts that both threads take in turn from a shared counter,
/// so a helper that the system does not schedule in time costs nothing: the caller
/// takes back every part the helper has not started. The helper thread starts on
/// first use. After each job it spins for a short while waiting for the next one (a
/// training step hands it jobs microseconds apart), then sleeps until woken. Another
/// process or the host of a virtual machine may take the helper's core away. The caller
/// then waits for a part the helper has started, or does a long job alone while the
/// helper was awake but absent. After such a stall the caller works alone for
/// 20 times as long as that cost it, at least 2 ms and at most a second. On a virtual
/// machine whose cores pause for 0.1-0.4 ms now and then, the helper is back within
/// milliseconds. Where another process keeps the helper's core busy for whole time
/// slices, the waits themselves cost about a twentieth of the time. One caller
/// at a time uses the helper: a second caller running at the same moment, or a part
/// that splits its own work again, runs all its parts itself.
///
/// The helper is off on machines with one processor and when the environment variable
/// `WEFT_NUM_THREADS` is `1`. How work is cut into parts never depends on the helper,
/// so results are the same bits either way.
enum Parallel {
    /// Whether kernels may hand parts of their work to the helper thread.
    static let isAvailable: Bool = {
        if let setting = getenv("WEFT_NUM_THREADS"), let threads = Int(String(cString: setting)), threads <= 1 {
            return false
        }
        return sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1
    }()

    /// Calls `body(part)` once for each part in `0..<parts`, on the calling thread and
    /// the helper thread at the same time, and returns when all calls have returned.
    /// `body` must not depend on task-local values, and the parts must not write to
    /// the same memory.
    static func forEach(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, isAvailable, suspensions.load(ordering: .relaxed) == 0,
            let helper = HelperThread.shared.claim()
        else {
            for part in 0..<parts { body(part) }
            return
        }
        helper.run(parts: parts, body)
    }

    /// Runs `body` with every kernel's parts on its calling thread, for a caller that
    /// found one thread faster (`ThreadModeChooser`). The helper stays off for callers
    /// on other threads too until `body` returns.
    static func withoutHelper<Result>(_ body: () -> Result) -> Result {
        suspensions.wrappingAdd(1, ordering: .relaxed)
        let outer = pthread_getspecific(suspendedThreadKey)
        pthread_setspecific(suspendedThreadKey, UnsafeRawPointer(bitPattern: 1))
        defer {
            pthread_setspecific(suspendedThreadKey, outer)
            suspensions.wrappingSubtract(1, ordering: .relaxed)
        }
        return body()
    }

    /// The number of `withoutHelper` calls in progress.
    private static let suspensions = Atomic<Int>(0)

    /// The key of a per-thread value that is set while the thread runs inside
    /// `withoutHelper`.
    private static let suspendedThreadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "Parallel: failed to create a thread-specific key (pthread_key_create returned \(status))")
        return key
    }()

    /// Whether a kernel called on this thread may hand parts to the helper thread, now
    /// or later in the same `withoutHelper` scope: false on one processor, with
    /// `WEFT_NUM_THREADS=1`, and inside `withoutHelper` on this thread. When false,
    /// every part of every kernel that this thread calls runs on this thread until
    /// that changes.
    static var mayUseHelper: Bool {
        isAvailable && pthread_getspecific(suspendedThreadKey) == nil
    }

    /// Whether the calling thread is the helper thread, for a part that reads a copy of
    /// its data made for that thread (`runCopies`).
    static var isHelperThread: Bool {
        let helper = helperThreadID.load(ordering: .relaxed)
        return helper != 0 && currentThreadID() == helper
    }

    /// Returns the calling thread's `pthread_t` as an integer.
    fileprivate static func currentThreadID() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }

    /// The `pthread_t` of the helper thread as an integer, 0 until the helper starts.
    /// Only the helper writes it, before it takes any part, so a thread that reads its
    /// own identity there is the helper.
    fileprivate static let helperThreadID = Atomic<UInt>(0)

    /// Runs `body(0)` and `body(1)` as two parts of one job (`forEach`) when kernels of
    /// this thread may use the helper (`mayUseHelper`), else `body(0)` alone.
    /// `body(copy)` writes the copy of some data that thread `copy` reads in later
    /// kernels' parts (0: the calling thread, 1: the helper). Each core then usually
    /// reads data that it wrote itself, not lines in the other core's cache. The
    /// calling thread takes part 0 and the helper part 1 unless one of them is late,
    /// and then the other runs both. Both copies therefore exist whenever a later part
    /// may run on the helper.
    static func runCopies(_ body: (_ copy: Int) -> Void) {
        guard mayUseHelper else {
            body(0)
            return
        }
        forEach(parts: 2, body)
    }

    /// Returns the seconds for which a caller works alone after the helper cost it
    /// `cost` seconds (`HelperThread.backOff`): 20 times the cost, at least 2 ms and at
    /// most a second.
    static func pause(afterStallOf cost: Double) -> Double {
        min(max(cost * 20, 0.002), 1)
    }

    /// Cuts `0..<count` into ranges of about `grain` elements (at most `maximumParts`,
    /// at least one) whose boundaries are multiples of `alignment`, and calls `body` on
    /// each as in `forEach`. The cut depends on the arguments alone.
    static func ranges(
        _ count: Int, grain: Int, alignment: Int = 16, maximumParts: Int = 8, _ body: (Range<Int>) -> Void
    ) {
        let parts = max(1, min(maximumParts, count / max(grain, 1)))
        if parts == 1 {
            body(0..<count)
            return
        }
        func boundary(_ part: Int) -> Int {
            part == parts ? count : (count * part / parts) / alignment * alignment
        }
        forEach(parts: parts) { part in body(boundary(part)..<boundary(part + 1)) }
    }
}

/// The helper thread behind `Parallel`, with a job slot, a state word and a condition
/// variable to sleep on.
///
/// Protocol: the owner stores the job and resets `remaining`, then sets `state` to
/// `posted` (release). The helper enters a posted job by moving `state` from `posted`
/// to `running`. Both threads then take parts from `remaining` until none is left, and
/// the helper sets `done` (release). When the owner runs out of parts, it moves `state`
/// from `posted` back to `idle` if the helper never entered, and otherwise waits for
/// `done`. A helper that finds no job for `spinSeconds` waits on `condition` under
/// `mutex` with `sleeping` set. The owner takes `mutex` after posting and signals when
/// `sleeping` is set, so no wake-up is lost.
private final class HelperThread: @unchecked Sendable {
    static let shared = HelperThread()

    private static let idle = 0
    private static let posted = 1
    private static let running = 2
    private static let done = 3
    private static let spinSeconds = 0.0002
    private static let stallSeconds = 0.0001
    private static let missedJobSeconds = 0.00005

    private let state = Atomic<Int>(idle)
    /// The parts not yet taken, packed as described at `takeParts`.
    private let remaining = Atomic<Int>(0)
    private static let backShift = 32
    private static let backUnit = 1 << backShift
    private static let frontMask = backUnit - 1
    private let owned = Atomic<Bool>(false)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Whether the helper waits on `condition`, guarded by `mutex`.
    private var sleeping = false
    /// The posted job, written by the owner before posting and read by the helper only
    /// after entering.
    private var job: ((Int) -> Void)?
    /// The time before which the owner runs every part itself. Read and written only
    /// by the owner.
    private var resumeAt = 0.0

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { _ in
            HelperThread.shared.serve()
            return nil
        }, nil)
        precondition(created == 0, "Parallel: failed to start the helper thread (pthread_create returned \(created))")
        pthread_detach(thread)
    }

    /// Claims the helper for the caller until `run` returns, or returns nil when another
    /// caller owns it.
    func claim() -> HelperThread? {
        owned.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged ? self : nil
    }

    func run(parts: Int, _ body: (Int) -> Void) {
        // After a long wait for the helper, the owner works alone for a while.
        if resumeAt > 0 && Self.now() < resumeAt {
            for part in 0..<parts { body(part) }
            owned.store(false, ordering: .releasing)
            return
        }
        withoutActuallyEscaping(body) { body in
            job = body
            precondition(parts < Self.backUnit / 2, "Parallel: \(parts) parts are more than a job can count")
            remaining.store(parts << Self.backShift, ordering: .relaxed)
            state.store(Self.posted, ordering: .releasing)
            pthread_mutex_lock(mutex)
            let wakesHelper = sleeping
            if sleeping { pthread_cond_signal(condition) }
            pthread_mutex_unlock(mutex)

            let started = Self.now()
            takeParts(body, fromBack: false)
            let ownWork = Self.now() - started

            let reclaimed = state.compareExchange(
                expected: Self.posted, desired: Self.idle, ordering: .acquiringAndReleasing
            ).exchanged
            if reclaimed {
                // A helper that stayed off its core for a long share of work is as
                // good as stalled, unless it was asleep: waking takes a while, and
                // counting that would pause the helper again after every pause.
                if ownWork > Self.missedJobSeconds && !wakesHelper { backOff(cost: ownWork) }
            } else {
                waitForHelper(ownWork: ownWork)
                state.store(Self.idle, ordering: .relaxed)
            }
            job = nil
        }
        owned.store(false, ordering: .releasing)
    }

    /// Waits until the helper has finished its part. A helper that the system has
    /// displaced can keep the owner waiting for a whole scheduling period. A wait
    /// longer than both `stallSeconds` and the owner's own share of the job (`ownWork`,
    /// in seconds) therefore turns the helper off for a while (`backOff`).
    private func waitForHelper(ownWork: Double) {
        let start = Self.now()
        let limit = max(Self.stallSeconds, ownWork)
        var spins = 0
        while state.load(ordering: .acquiring) != Self.done {
            weft_spin_pause()
            spins += 1
            if spins % 256 == 0 && Self.now() - start > limit {
                sched_yield()
            }
        }
        let waited = Self.now() - start
        if waited > limit { backOff(cost: waited) }
    }

    /// Turns the helper off for `Parallel.pause(afterStallOf: cost)`, where `cost` is
    /// the seconds that the stall cost the owner. A helper whose core
    /// keeps being taken away then costs about a twentieth of the time in waits, and one
    /// that a virtual machine's host paused once is back soon. (Doubling pauses up to a
    /// second after each stall left the helper off for 60-95% of a training benchmark
    /// on a virtual machine with 0.1-0.4 ms pauses, and made steps 20-40% slower.)
    private func backOff(cost: Double) {
        resumeAt = Self.now() + Parallel.pause(afterStallOf: cost)
    }

    /// Runs parts until none is left: the owner takes them from the front (0, 1, ...),
    /// the helper from the back (parts - 1, parts - 2, ...). `remaining` packs the next
    /// front part in its low 32 bits and the end of the untaken range in its high bits.
    /// One atomic add claims a part only while the front lies below the end, so no part
    /// is taken twice. Each thread thereby keeps the same share of a kernel's memory
    /// from one call to the next, so that memory stays in its core's cache. In a test
    /// of two threads on an Adam update of 118k weights, halves that switched cores on
    /// every call took about 30% longer.
    private func takeParts(_ body: (Int) -> Void, fromBack: Bool) {
        while true {
            let packed = remaining.wrappingAdd(fromBack ? -Self.backUnit : 1, ordering: .relaxed).oldValue
            let front = packed & Self.frontMask
            let end = packed >> Self.backShift
            if front >= end { return }
            body(fromBack ? end - 1 : front)
        }
    }

    private func serve() {
        Parallel.helperThreadID.store(Parallel.currentThreadID(), ordering: .relaxed)
        // The helper runs only Weft's kernels, so it keeps the mode of `withSubnormalsFlushed`.
        _ = weft_flush_subnormals()
        while true {
            waitForJob()
            let entered = state.compareExchange(
                expected: Self.posted, desired: Self.running, ordering: .acquiringAndReleasing
            ).exchanged
            guard entered else { continue }
            takeParts()
            state.store(Self.done, ordering: .releasing)
        }
    }

    /// Runs the helper's share of the job. It is not inlined, so that its reference to
    /// the job is released before `done` is published, because the owner's
    /// `withoutActuallyEscaping` checks that no reference outlives the call.
    @inline(never)
    private func takeParts() {
        takeParts(job!, fromBack: true)
    }

    private func waitForJob() {
        let deadline = Self.now() + Self.spinSeconds
        var spins = 0
        while state.load(ordering: .acquiring) != Self.posted {
            weft_spin_pause()
            spins += 1
            if spins % 64 == 0 && Self.now() > deadline {
                sleep()
                return
            }
        }
    }

    private func sleep() {
        pthread_mutex_lock(mutex)
        sleeping = true
        while state.load(ordering: .acquiring) != Self.posted { pthread_cond_wait(condition, mutex) }
        sleeping = false
        pthread_mutex_unlock(mutex)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
