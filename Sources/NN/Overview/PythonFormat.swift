// Python-compatible number formatting for the parameter overview table.
//
// clu's table formats floats with `'{:.3}'.format(x)` and ints with
// `'{:,}'.format(n)`. The functions here reproduce CPython's output for those
// format specs character for character, so a Weft overview can be compared
// with one printed by clu.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Formats `value` as Python's `format(value, '.<precision>')` does for a float.
///
/// A precision without a type letter selects Python's general format, which
/// differs from C's `%g` in two ways. A fixed-point result keeps at least one
/// digit after the point (`1.0`, `12.0`), and scientific notation starts
/// when the decimal exponent reaches `precision - 1` instead of `precision`,
/// so `format(123.0, '.3')` is `1.23e+02`. Values below 1e-4 also use
/// scientific notation, trailing zeros are dropped, NaN prints as `nan`
/// whatever its sign bit, and a precision of 0 counts as 1.
///
/// Rounding is correct for the exact binary value, with ties to even, as in
/// CPython: `format(2.675, '.3')` is `2.67` because 2.675 is stored as
/// 2.67499999….
internal func formatPythonGeneral(_ value: Double, precision: Int) -> String {
    precondition(precision >= 0, "precision must be non-negative, got \(precision)")
    if value.isNaN {
        return "nan"
    }
    if value.isInfinite {
        return value < 0 ? "-inf" : "inf"
    }

    let significantDigits = max(precision, 1)
    let decimal = roundedDecimal(value.magnitude, significantDigits: significantDigits)
    let scientific = decimal.pointPosition <= -4 || decimal.pointPosition > significantDigits - 1
    return layOutDecimal(
        negative: value.sign == .minus,
        decimal: decimal,
        scientific: scientific,
        groupThousands: false
    )
}

/// Formats `n` as Python's `format(n, ',')` does: decimal digits with a comma
/// between each group of three, such as `118,282` or `-1,000`.
internal func formatWithThousands(_ n: Int) -> String {
    let grouped = groupThousands(String(n.magnitude))
    return n < 0 ? "-" + grouped : grouped
}

/// Formats `value` as Python's `format(value, ',')` does for a float.
///
/// This is `repr(value)` with comma-separated thousands in the integer part:
/// `1,514.0`, `0.5`, and `1e+16` (repr switches to scientific notation at
/// 1e16 and below 1e-4). clu's footer prints its totals this way when a
/// parameter has shape `()`, because NumPy's product of an empty shape is the
/// float 1.0 and turns the running sums into floats.
internal func formatPythonFloatWithThousands(_ value: Double) -> String {
    if value.isNaN {
        return "nan"
    }
    if value.isInfinite {
        return value < 0 ? "-inf" : "inf"
    }

    let decimal = shortestDecimal(value.magnitude)
    let scientific = decimal.pointPosition <= -4 || decimal.pointPosition > 16
    return layOutDecimal(
        negative: value.sign == .minus,
        decimal: decimal,
        scientific: scientific,
        groupThousands: true
    )
}

/// A non-negative decimal number `0.d1 d2 d3 … × 10^pointPosition`.
///
/// `digits` has no trailing zeros and no leading zero, except that zero itself
/// is the single digit "0" with `pointPosition` 1. This is the digit string
/// and decimal point position that CPython's float formatting works from.
private struct DecimalDigits {
    var digits: [Character]
    var pointPosition: Int
}

/// Rounds `magnitude` to `significantDigits` significant decimal digits.
///
/// The C library's `%.*e` conversion supplies the digits. glibc rounds the
/// exact binary value, with ties to even under the default rounding mode,
/// which matches CPython's own conversion.
/// NOTE: other C libraries (musl, Darwin) are assumed to round the same way.
private func roundedDecimal(_ magnitude: Double, significantDigits: Int) -> DecimalDigits {
    // The output is at most: one digit, a radix character of up to a few
    // bytes, the fraction digits, "e", a sign and four exponent digits.
    let capacity = significantDigits + 32
    var buffer = [CChar](repeating: 0, count: capacity)
    let written = withVaList([CInt(significantDigits - 1), magnitude]) { arguments in
        buffer.withUnsafeMutableBufferPointer { pointer in
            vsnprintf(pointer.baseAddress, capacity, "%.*e", arguments)
        }
    }
    precondition(written > 0 && Int(written) < capacity, "vsnprintf failed to format \(magnitude)")

    let text = String(decoding: buffer.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let exponentMarker = text.firstIndex(of: "e"),
        let exponent = Int(text[text.index(after: exponentMarker)...])
    else {
        preconditionFailure("unexpected %e output '\(text)' for \(magnitude)")
    }
    // Keep only the digits of the mantissa, so the radix character of the
    // current C locale does not matter.
    let mantissaDigits = text[..<exponentMarker].filter { $0.isASCII && $0.isNumber }
    return normalizedDecimal(digits: Array(mantissaDigits), pointPosition: exponent + 1)
}

/// Returns the shortest decimal digits that round-trip to `magnitude`.
///
/// Swift's `description` and CPython's `repr` both print the shortest
/// round-tripping digit string, choosing the one closest to the exact value
/// when several have the same length. Only their layout differs, so this
/// reads the digits and the exponent back out of `description`.
private func shortestDecimal(_ magnitude: Double) -> DecimalDigits {
    let text = magnitude.description
    var mantissa = Substring(text)
    var exponent = 0
    if let exponentMarker = text.firstIndex(of: "e") {
        mantissa = text[..<exponentMarker]
        guard let parsed = Int(text[text.index(after: exponentMarker)...]) else {
            preconditionFailure("unexpected Double.description '\(text)'")
        }
        exponent = parsed
    }

    let integerDigitCount = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) }
        ?? mantissa.count
    let digits = mantissa.filter { $0 != "." }
    return normalizedDecimal(digits: Array(digits), pointPosition: integerDigitCount + exponent)
}

/// Strips leading and trailing zeros from `digits` and adjusts the point.
private func normalizedDecimal(digits: [Character], pointPosition: Int) -> DecimalDigits {
    guard let firstNonZero = digits.firstIndex(where: { $0 != "0" }) else {
        return DecimalDigits(digits: ["0"], pointPosition: 1)
    }
    let lastNonZero = digits.lastIndex(where: { $0 != "0" })!
    return DecimalDigits(
        digits: Array(digits[firstNonZero...lastNonZero]),
        pointPosition: pointPosition - firstNonZero
    )
}

/// Writes `decimal` in CPython's layout for `repr` and for the general format
/// without a type letter.
///
/// Scientific notation is `d[.ddd]e±XX` with at least two exponent digits.
/// Fixed notation pads with zeros so that there is at least one digit on
/// each side of the point.
private func layOutDecimal(
    negative: Bool,
    decimal: DecimalDigits,
    scientific: Bool,
    groupThousands shouldGroup: Bool
) -> String {
    let sign = negative ? "-" : ""
    let digits = decimal.digits

    if scientific {
        var text = sign + String(digits[0])
        if digits.count > 1 {
            text += "." + String(digits[1...])
        }
        let exponent = decimal.pointPosition - 1
        let exponentDigits = String(exponent.magnitude)
        text += exponent < 0 ? "e-" : "e+"
        text += exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits
        return text
    }

    let integerPart: String
    let fractionPart: String
    if decimal.pointPosition <= 0 {
        integerPart = "0"
        fractionPart = String(repeating: "0", count: -decimal.pointPosition) + String(digits)
    } else if decimal.pointPosition >= digits.count {
        integerPart = String(digits) + String(repeating: "0", count: decimal.pointPosition - digits.count)
        fractionPart = "0"
    } else {
        integerPart = String(digits[..<decimal.pointPosition])
        fractionPart = String(digits[decimal.pointPosition...])
    }
    let integerText = shouldGroup ? groupThousands(integerPart) : integerPart
    return sign + integerText + "." + fractionPart
}

/// Inserts a comma between each group of three digits, counting from the right.
private func groupThousands(_ digits: String) -> String {
    var grouped = ""
    let count = digits.count
    for (index, digit) in digits.enumerated() {
        if index > 0 && (count - index) % 3 == 0 {
            grouped.append(",")
        }
        grouped.append(digit)
    }
    return grouped
}
