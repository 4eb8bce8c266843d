import Foundation

/// The output format of weft-bench: one `<case-name> <metric>=<value> ...` line per case,
/// and `#` at the start of every other line, so that a script can pair the case lines
/// with those of the JAX reference.
enum Report {
    /// The column where the metrics start. Case names are padded with spaces up to it.
    static let metricsColumn = 34

    /// Prints the line of case `name` with its figures in the given order.
    static func caseLine(_ name: String, _ figures: KeyValuePairs<String, Double>) {
        let metrics = figures.map { "\($0.key)=\(format($0.value))" }.joined(separator: " ")
        print(name.padding(toLength: metricsColumn - 1, withPad: " ", startingAt: 0) + " " + metrics)
        fflush(nil)
    }

    /// Prints a comment line, which scripts that read the case lines skip.
    static func note(_ text: String) {
        print("# " + text)
        fflush(nil)
    }

    /// Formats a figure as a plain decimal number without exponent: a whole number
    /// (a count) without decimals, any other value with five significant digits and at
    /// least one decimal.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "nan" }
        if value == value.rounded(), abs(value) < 1e15 {
            return String(format: "%.0f", value)
        }
        let exponent = Int(log10(abs(value)).rounded(.down))
        let decimals = min(9, max(1, 4 - exponent))
        return String(format: "%.\(decimals)f", value)
    }
}
