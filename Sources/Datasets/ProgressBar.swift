import Foundation

/// A progress meter in the format of Python's tqdm.
///
/// On a terminal it redraws one line in place with `\r`: once when created, then at most
/// once per `minimumInterval` seconds, and a last time from `close()`:
///
///     epoch 1:  45%|████▍     | 843/1875 [00:01<00:01, 702.50it/s, loss=0.2440]
///
/// Elsewhere, such as in a log file, it writes the same text as whole lines: one each time
/// progress passes a multiple of 10%, one after `lineInterval` seconds without a line, and
/// a last one from `close()`.
///
/// The rate is the mean over the whole run, as with tqdm's `smoothing=0`.
public final class ProgressBar {
    /// Number of steps in the run, or nil when unknown. Then the meter shows no bar.
    public let total: Int?
    /// Text before the meter. The meter adds ": " after it.
    public let description: String?
    /// Name of one step in the rate, such as "it" in "702.50it/s".
    public let unit: String
    /// Width of the bar in character cells.
    public let barWidth: Int
    /// Text after the rate, such as "loss=0.2440". It appears from the next redraw on.
    public var postfix: String?
    public private(set) var count = 0

    private let isTerminal: Bool
    private let minimumInterval: Double
    private let lineInterval: Double
    private let clock: () -> Double
    private let output: (String) -> Void
    private let startTime: Double
    private var lastOutputTime: Double
    /// Characters in the last terminal line, so a shorter line can blank out the rest.
    private var lastLineLength = 0
    private var lastReportedTenth = 0
    private var lastReportedCount: Int?
    private var isClosed = false

    /// Creates a bar and, on a terminal, draws it at zero.
    ///
    /// - Parameters:
    ///   - minimumInterval: Minimum seconds between terminal redraws.
    ///   - lineInterval: Maximum seconds between plain lines while progress continues.
    ///   - isTerminal: Whether to redraw in place. Defaults to whether stderr is a terminal.
    ///   - clock: Monotonic time in seconds.
    ///   - output: Receives the text to write. Defaults to writing to stderr.
    public init(
        total: Int?,
        description: String? = nil,
        unit: String = "it",
        barWidth: Int = 10,
        minimumInterval: Double = 0.1,
        lineInterval: Double = 10,
        isTerminal: Bool = ProgressBar.standardErrorIsTerminal,
        clock: @escaping () -> Double = ProgressBar.monotonicSeconds,
        output: @escaping (String) -> Void = ProgressBar.writeToStandardError
    ) {
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        self.description = description
        self.unit = unit
        self.barWidth = barWidth
        self.minimumInterval = minimumInterval
        self.lineInterval = lineInterval
        self.isTerminal = isTerminal
        self.clock = clock
        self.output = output
        startTime = clock()
        lastOutputTime = startTime
        if isTerminal {
            redraw(now: startTime)
        }
    }

    /// Adds `steps` to the count and redraws or writes a line when one is due.
    public func update(by steps: Int = 1) {
        guard !isClosed else {
            return
        }
        count += steps
        let now = clock()

        if isTerminal {
            if now - lastOutputTime >= minimumInterval {
                redraw(now: now)
            }
            return
        }

        var isDue = now - lastOutputTime >= lineInterval
        if let total {
            let tenth = min(count, total) * 10 / total
            if tenth > lastReportedTenth {
                lastReportedTenth = tenth
                isDue = true
            }
        }
        if isDue {
            writeLine(now: now)
        }
    }

    /// Draws the final state and ends the line. Later calls to `update` and `close` do nothing.
    public func close() {
        guard !isClosed else {
            return
        }
        isClosed = true
        let now = clock()
        if isTerminal {
            redraw(now: now)
            output("\n")
        } else if lastReportedCount != count {
            writeLine(now: now)
        }
    }

    /// Returns the meter text for the current count at time `now`, without `\r` or newline.
    public func meter(now: Double) -> String {
        Self.formatMeter(
            count: count, total: total, elapsed: now - startTime, description: description,
            unit: unit, barWidth: barWidth, postfix: postfix)
    }

    private func redraw(now: Double) {
        let line = meter(now: now)
        let length = line.count
        let padding = String(repeating: " ", count: max(0, lastLineLength - length))
        output("\r" + line + padding)
        lastLineLength = length
        lastOutputTime = now
    }

    private func writeLine(now: Double) {
        output(meter(now: now) + "\n")
        lastOutputTime = now
        lastReportedCount = count
    }
}

extension ProgressBar {
    /// Eighth-block characters for the partial cell, from empty to full, as tqdm draws them.
    private static let barSymbols: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// Formats a meter as tqdm does.
    ///
    /// With a total: `desc:  45%|████▍     | 843/1875 [00:01<00:01, 702.50it/s, postfix]`.
    /// Without: `desc: 843it [00:01, 702.50it/s, postfix]`. The rate reads `?it/s` and the
    /// remaining time `?` until a step has been counted and time has passed.
    public static func formatMeter(
        count: Int,
        total: Int?,
        elapsed: Double,
        description: String? = nil,
        unit: String = "it",
        barWidth: Int = 10,
        postfix: String? = nil
    ) -> String {
        let prefix = description.map { $0.isEmpty ? "" : $0 + ": " } ?? ""
        let rate: Double? = elapsed > 0 && count > 0 ? Double(count) / elapsed : nil
        let rateText = formatRate(rate, unit: unit)
        let postfixText = postfix.map { $0.isEmpty ? "" : ", " + $0 } ?? ""
        let elapsedText = formatInterval(elapsed)

        guard let total, total > 0 else {
            return "\(prefix)\(count)\(unit) [\(elapsedText), \(rateText)\(postfixText)]"
        }

        let fraction = Double(count) / Double(total)
        let percentage = String(format: "%3.0f", fraction * 100)
        let remainingText = rate.map { formatInterval(Double(max(total - count, 0)) / $0) } ?? "?"
        let bar = formatBar(fraction: fraction, width: barWidth)
        return "\(prefix)\(percentage)%|\(bar)| \(count)/\(total) "
            + "[\(elapsedText)<\(remainingText), \(rateText)\(postfixText)]"
    }

    /// Returns a bar of `width` cells: full blocks, one partial cell in eighths, then spaces.
    public static func formatBar(fraction: Double, width: Int) -> String {
        let symbolSteps = barSymbols.count - 1
        let clamped = min(max(fraction, 0), 1)
        let eighths = Int(clamped * Double(width * symbolSteps))
        let fullCells = eighths / symbolSteps
        var bar = String(repeating: barSymbols[symbolSteps], count: fullCells)
        if fullCells < width {
            bar.append(barSymbols[eighths % symbolSteps])
            bar += String(repeating: " ", count: width - fullCells - 1)
        }
        return bar
    }

    /// Formats seconds as `mm:ss`, or `h:mm:ss` from one hour on. Fractions are dropped.
    public static func formatInterval(_ interval: Double) -> String {
        let totalSeconds = Int(max(interval, 0))
        let hours = totalSeconds / 3600
        let minutes = totalSeconds / 60 % 60
        let seconds = totalSeconds % 60
        if hours > 0 {
            return String(format: "%d:%02d:%02d", hours, minutes, seconds)
        }
        return String(format: "%02d:%02d", minutes, seconds)
    }

    /// Formats a rate in steps per second as `702.50it/s`, or as `2.50s/it` below one step
    /// per second, padded to five characters before the unit.
    public static func formatRate(_ stepsPerSecond: Double?, unit: String = "it") -> String {
        guard let stepsPerSecond, stepsPerSecond > 0 else {
            return "?\(unit)/s"
        }
        if stepsPerSecond < 1 {
            return String(format: "%5.2f", 1 / stepsPerSecond) + "s/\(unit)"
        }
        return String(format: "%5.2f", stepsPerSecond) + "\(unit)/s"
    }

    public static var standardErrorIsTerminal: Bool {
        isatty(STDERR_FILENO) != 0
    }

    public static func monotonicSeconds() -> Double {
        ProcessInfo.processInfo.systemUptime
    }

    public static func writeToStandardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
