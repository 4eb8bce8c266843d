#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A profiler that shows where the time of compiled functions goes. With the
/// environment variable `WEFT_PROFILE_PLANS=1`, every step of every `jit` plan is
/// timed. When the process exits, a table of up to 60 steps by total time (kernel,
/// output shapes, calls, total and mean time) is printed to standard error. With
/// `WEFT_PROFILE_PLANS=order`, the table lists every step of every plan in plan
/// order instead, with the step's position and its input types. The profiler is off
/// by default, and when it is off, a plan pays one check per call.
enum PlanProfiler {
    private enum Mode { case off, byTime, inOrder }

    private static let mode: Mode = {
        guard let setting = getenv("WEFT_PROFILE_PLANS") else { return .off }
        let mode: Mode
        switch String(cString: setting) {
        case "1": mode = .byTime
        case "order": mode = .inOrder
        default: return .off
        }
        atexit { PlanProfiler.printReport() }
        return mode
    }()

    static var isEnabled: Bool { mode != .off }

    private struct Entry {
        var calls = 0
        var seconds = 0.0
    }

    private static let entries = Mutex<[String: Entry]>([:])

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Adds one call of `step` that took `seconds`.
    static func record(_ step: ExecutionPlan.Step, index: Int, seconds: Double) {
        func types(_ list: [TensorType]) -> String { list.map { "\($0.dtype)\(formatShape($0.shape))" }.joined(separator: ", ") }
        let shapes = types(step.outputTypes)
        // Six digits keep the keys of one plan in step order when sorted as text.
        let position = mode == .inOrder ? "#" + String(String(1_000_000 + index).dropFirst()) + " (\(types(step.inputTypes))) " : ""
        let key = position + "\(step.primitive.name) \(step.primitive.parameterDescription) -> \(shapes)"
        entries.withLock { entries in
            entries[key, default: Entry()].calls += 1
            entries[key, default: Entry()].seconds += seconds
        }
    }

    private static func printReport() {
        let sorted = entries.withLock { $0 }.sorted { $0.value.seconds > $1.value.seconds }
        let total = sorted.reduce(0) { $0 + $1.value.seconds }
        var report = "Weft plan profile: \(fixed(total, 3)) s in compiled steps\n"
        report += "   total s   share    calls   mean us  step\n"
        let listed = mode == .inOrder ? sorted.sorted { $0.key < $1.key } : Array(sorted.prefix(60))
        for (key, entry) in listed {
            let share = fixed(entry.seconds / total * 100, 1) + "%"
            let mean = fixed(entry.seconds / Double(entry.calls) * 1e6, 2)
            let columns = [
                padded(fixed(entry.seconds, 4), 10), padded(share, 7), padded("\(entry.calls)", 8), padded(mean, 9),
            ]
            report += columns.joined(separator: " ") + "  " + key + "\n"
        }
        _ = report.withCString { write(2, $0, strlen($0)) }
    }

    /// Formats `value` with `digits` decimals, because Tensor does not link Foundation's
    /// formatting.
    private static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = "\(scaled / Int(scale))"
        let fraction = String("\(scaled % Int(scale) + Int(scale))".dropFirst())
        return (value < 0 ? "-" : "") + whole + (digits > 0 ? "." + fraction : "")
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
