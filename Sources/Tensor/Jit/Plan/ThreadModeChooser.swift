import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The choice, for one plan, of whether its runs share their kernels' work with the
/// helper thread of `Parallel` or run on the calling thread alone.
///
/// On the two-core virtual machine where Weft is benchmarked, the second core sometimes
/// slows down for seconds at a time. The MNIST training step then took 430 us on two
/// threads against 275 us on one (and 200 us on two threads otherwise). So the plan
/// runs `probeLength` runs in the other mode now and then, and keeps whichever mode
/// gave the lower median time, by at least `margin`. Results do not depend on the
/// mode, because kernels cut their work the same way either way.
///
/// A probe costs the difference between the modes on each of its runs, about 100 us a
/// run for the MNIST step. So the plan probes after `probeInterval` runs only before
/// its first probe, in the one-thread mode (the slowdown may be over), and when its
/// median has risen above `slowdownTolerance` times the best median of its mode.
/// Otherwise it probes after `steadyInterval` runs.
struct ThreadModePolicy {
    static let probeInterval = 256
    static let steadyInterval = 4096
    static let probeLength = 8
    /// The fraction of the current mode's median time that the other mode must beat.
    static let margin = 0.9
    /// The factor by which the current median may exceed the mode's best median before
    /// the plan probes at the shorter interval.
    static let slowdownTolerance = 1.3
    /// The number of recent run times kept for the current mode's median.
    static let recentCapacity = 16

    private(set) var usesHelper = true
    private var recent: [Double] = []
    private var probe: [Double] = []
    private var runsSinceProbe = 0
    private var isProbing = false
    private var hasProbed = false
    /// The lowest median of `recent` since the mode last changed, checked every
    /// `recentCapacity` runs.
    private var bestMedian = Double.infinity

    /// Returns whether the next run uses the helper thread.
    var nextRunUsesHelper: Bool { isProbing ? !usesHelper : usesHelper }

    /// Records the duration in seconds of a run that used the helper or not.
    mutating func record(seconds: Double, usedHelper: Bool) {
        if isProbing && usedHelper != usesHelper {
            probe.append(seconds)
            guard probe.count >= Self.probeLength else { return }
            if Self.median(probe) < Self.margin * Self.median(recent) {
                usesHelper.toggle()
                recent = probe
                bestMedian = .infinity
            }
            probe = []
            isProbing = false
            hasProbed = true
            runsSinceProbe = 0
            return
        }
        guard usedHelper == usesHelper else { return }
        recent.append(seconds)
        if recent.count > Self.recentCapacity { recent.removeFirst() }
        runsSinceProbe += 1
        guard recent.count >= Self.probeLength else { return }
        if runsSinceProbe >= Self.steadyInterval {
            isProbing = true
        } else if runsSinceProbe >= Self.probeInterval && runsSinceProbe % Self.recentCapacity == 0 {
            let currentMedian = Self.median(recent)
            bestMedian = min(bestMedian, currentMedian)
            isProbing = !hasProbed || !usesHelper || currentMedian > Self.slowdownTolerance * bestMedian
        } else if runsSinceProbe % Self.recentCapacity == 0 {
            bestMedian = min(bestMedian, Self.median(recent))
        }
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

/// Runs a plan's calls in the mode that `ThreadModePolicy` picks, timing each call.
/// It is safe to use from several tasks, and calls that overlap each record their time.
final class ThreadModeChooser: Sendable {
    private let policy = Mutex(ThreadModePolicy())

    func run<Result>(_ body: () -> Result) -> Result {
        guard Parallel.isAvailable else { return body() }
        let usesHelper = policy.withLock { $0.nextRunUsesHelper }
        let start = Self.now()
        let result = usesHelper ? body() : Parallel.withoutHelper(body)
        let seconds = Self.now() - start
        policy.withLock { $0.record(seconds: seconds, usedHelper: usesHelper) }
        return result
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
