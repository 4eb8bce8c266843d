import Foundation

/// Wall-clock measurement helpers for the benchmark cases.
enum Timing {
    /// Seconds on the monotonic clock, for differences only.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Returns the seconds that `body` takes once.
    static func seconds(_ body: () -> Void) -> Double {
        let start = now()
        body()
        return now() - start
    }

    /// Runs `body` `repetitions` times after `warmup` runs and returns the sorted
    /// durations in seconds.
    static func measure(repetitions: Int, warmup: Int = 1, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        var durations = [Double]()
        for _ in 0..<repetitions {
            durations.append(seconds(body))
        }
        return durations.sorted()
    }

    /// Returns the median of sorted values (the mean of the two middle ones for an even count).
    static func median(_ sorted: [Double]) -> Double { percentile(sorted, 0.5) }

    /// Returns the `fraction` quantile of sorted values, interpolated linearly between the two
    /// nearest ranks as NumPy's `percentile` does by default.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        precondition(!sorted.isEmpty, "percentile of no values")
        let position = Double(sorted.count - 1) * fraction
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * weight
    }

    /// Reads the peak resident set size of this process in kilobytes (`VmHWM` in
    /// `/proc/self/status`), or returns nil where that file has no such line.
    static func peakResidentKilobytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return line.split(separator: " ").compactMap { Int($0) }.first
        }
        return nil
    }
}
