import Foundation

/// Wall-clock measurement helpers for the benchmark cases.
enum Timing {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Runs `body` `repetitions` times after `warmup` runs and returns the sorted
    /// durations in seconds.
    static func measure(repetitions: Int, warmup: Int = 1, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        var durations = [Double]()
        for _ in 0..<repetitions {
            let start = now()
            body()
            durations.append(now() - start)
        }
        return durations.sorted()
    }

    static func median(_ sorted: [Double]) -> Double { sorted[sorted.count / 2] }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }

    /// The peak resident set size of this process so far, in megabytes (from
    /// `/proc/self/status`, `VmHWM`).
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
            return kilobytes / 1024
        }
        return .nan
    }
}

/// Prints one benchmark line: the case name padded, then its figures.
func report(_ name: String, _ figures: String) {
    print(name.padding(toLength: 34, withPad: " ", startingAt: 0) + figures)
    fflush(nil)
}
