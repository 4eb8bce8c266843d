// Float32 log, log1p, erf, maximum, minimum and cumulative sum, computed
// operation by operation as XLA:CPU computes them for JAX 0.10.2, so samplers
// built on them reproduce JAX's values bit for bit.
//
// The operation order comes from the LLVM IR and x86-64 machine code that
// XLA:CPU emits for these HLO ops (dumped with XLA_FLAGS=--xla_dump_to) on a
// host with FMA instructions. LLVM fuses each multiply that feeds exactly one
// add into a fused multiply-add there, so the code below calls
// `addingProduct` at exactly those places.
// NOTE: XLA:CPU on a host without FMA rounds those steps twice and can differ
// from these functions in the last bit.

/// Returns the larger operand as XLA's `maximum` does: NaN if either operand
/// is NaN, and +0 is greater than -0.
@inline(__always)
func xlaMaximum(_ a: Float, _ b: Float) -> Float {
    if a.isNaN || b.isNaN {
        return .nan
    }
    if a == b {
        return a.sign == .minus ? b : a
    }
    return a > b ? a : b
}

/// Returns the smaller operand as XLA's `minimum` does: NaN if either operand
/// is NaN, and -0 is less than +0.
@inline(__always)
func xlaMinimum(_ a: Float, _ b: Float) -> Float {
    if a.isNaN || b.isNaN {
        return .nan
    }
    if a == b {
        return a.sign == .minus ? a : b
    }
    return a < b ? a : b
}

/// Computes the natural logarithm with the polynomial of XLA:CPU's `log`,
/// which is not correctly rounded.
///
/// XLA:CPU uses this polynomial in vectorized loops and inside the sampler
/// kernels. A standalone `jnp.log` kernel on a short array can round
/// differently in the last bit (where checked, it gave glibc's `logf` values).
///
/// The argument is split as `x = m * 2^e` with `m` in [sqrt(1/2), sqrt(2)),
/// and log(m) comes from a degree-9 polynomial in `m - 1`.
func xlaLog(_ x: Float) -> Float {
    if x.isNaN || x < 0 {
        return .nan
    }
    if x == 0 {
        return -.infinity
    }
    if x == .infinity {
        return .infinity
    }

    // Subnormal inputs are raised to the smallest normal number first. The samplers
    // call this with subnormals flushed (see `withSubnormalsFlushed`), where they read
    // as zero above and give -inf.
    // NOTE: XLA:CPU returns -inf or -103.97 for them, depending on the code path.
    let normal = x > Float.leastNormalMagnitude ? x : Float.leastNormalMagnitude
    let bits = normal.bitPattern
    let exponentPlusOne = Float(Int32(bits >> 23) - 127) + 1
    // Mantissa scaled into [0.5, 1).
    let mantissa = Float(bitPattern: (bits & 0x807F_FFFF) | 0x3F00_0000)
    let belowSqrtHalf = mantissa < Float(bitPattern: 0x3F35_04F3)

    // For a mantissa below sqrt(1/2), use 2 * mantissa and one less exponent.
    let exponent = exponentPlusOne - (belowSqrtHalf ? 1 : 0)
    let r = (mantissa - 1) + (belowSqrtHalf ? mantissa : 0)
    let r2 = r * r
    let r3 = r2 * r

    // Three interleaved Horner chains, combined in powers of r^3.
    var y0 = Float(bitPattern: 0xBDEB_D1B8).addingProduct(r, Float(bitPattern: 0x3D90_21BB))
    var y1 = Float(bitPattern: 0x3E11_E9BF).addingProduct(r, Float(bitPattern: 0xBDFE_5D4F))
    var y2 = Float(bitPattern: 0xBE7F_FFFC).addingProduct(r, Float(bitPattern: 0x3E4C_CEAC))
    y0 = Float(bitPattern: 0x3DEF_251A).addingProduct(y0, r)
    y1 = Float(bitPattern: 0xBE2A_AE50).addingProduct(y1, r)
    y2 = Float(bitPattern: 0x3EAA_AAAA).addingProduct(y2, r)
    var y = y1.addingProduct(y0, r3)
    y = y2.addingProduct(y, r3)

    // ln(2) is split into 0.693359375 + (-2.12194440e-4) so that the exponent
    // term adds with little rounding error.
    let lnTwoLow = Float(bitPattern: 0xB95E_8083)
    let lnTwoHigh = Float(bitPattern: 0x3F31_8000)
    y = (exponent * lnTwoLow).addingProduct(y, r3)
    let quadratic = r.addingProduct(-0.5, r2)
    return (quadratic + y).addingProduct(exponent, lnTwoHigh)
}

/// Coefficients of the rational approximation of log1p near zero, the float32
/// roundings of the Cephes values XLA uses, highest power first.
private let log1pNumerator: [Float] = [
    0x383D_E04B, 0x3EFF_40C5, 0x40D2_84FA, 0x41EF_4B9C, 0x4273_CC76, 0x4264_73AD, 0x41A0_5101,
].map { Float(bitPattern: $0) }
private let log1pDenominator: [Float] = [
    0x3F80_0000, 0x4171_01AD, 0x42A6_185B, 0x435D_C32D, 0x439A_8CA3, 0x4358_6D8A, 0x4270_7982,
].map { Float(bitPattern: $0) }

/// Computes `log(1 + x)` as XLA:CPU's `log-plus-one` does.
///
/// For |x| < sqrt(2) - 1 it evaluates `x - x^2/2 + x^3 * P(x)/Q(x)`, and
/// otherwise `xlaLog(1 + x)`.
func xlaLog1p(_ x: Float) -> Float {
    guard abs(x) < Float(bitPattern: 0x3ED4_13CD) else {
        return xlaLog(x + 1)
    }

    var numerator = log1pNumerator[0]
    var denominator = log1pDenominator[0]
    for index in 1..<log1pNumerator.count {
        numerator = log1pNumerator[index].addingProduct(numerator, x)
        denominator = log1pDenominator[index].addingProduct(denominator, x)
    }
    let x2 = x * x
    let cubicTerm = (x * x2) * (numerator / denominator)
    return x + cubicTerm.addingProduct(-0.5, x2)
}

/// Coefficients of the rational erf approximation XLA:CPU uses (from Eigen),
/// as float32 bit patterns, highest power first. The numerator contains the odd
/// powers of x and the denominator the even powers.
private let erfNumerator: [Float] = [
    0x3970_2D51, 0x3B5F_5DA2, 0x3D50_B6EB, 0x3E3D_A740, 0x3F90_6EBA,
].map { Float(bitPattern: $0) }
private let erfDenominator: [Float] = [
    0xB3FD_3906, 0x37C5_88DF, 0x3A85_6D28, 0x3C66_87D4, 0x3DE3_4C21, 0x3EFE_B44A, 0x3F80_0000,
].map { Float(bitPattern: $0) }

/// erfinv(1 - 2^-25) in float32 (3.832507): beyond it erf rounds to ±1.
private let erfSaturationThreshold = Float(bitPattern: 0x4075_47CB)

/// Computes the error function in float32 as XLA:CPU's `erf` does.
///
/// |x| >= 3.832507, where erf rounds to ±1, returns ±1. Elsewhere the result
/// is `x * P(x^2) / Q(x^2)` with every Horner step a fused multiply-add.
func xlaErf(_ x: Float) -> Float {
    if abs(x) >= erfSaturationThreshold {
        return Float(signOf: x, magnitudeOf: 1)
    }
    let x2 = x * x
    var numerator = erfNumerator[0]
    for coefficient in erfNumerator.dropFirst() {
        numerator = coefficient.addingProduct(x2, numerator)
    }
    var denominator = erfDenominator[0]
    for coefficient in erfDenominator.dropFirst() {
        denominator = coefficient.addingProduct(x2, denominator)
    }
    return (x * numerator) / denominator
}

/// Window length of XLA's cumulative-sum rewrite: scans longer than this are
/// computed blockwise.
private let cumulativeSumBlockLength = 16

/// Computes the inclusive cumulative sum in float32 with the summation order
/// of `jnp.cumsum` on XLA:CPU, which differs from a sequential sum after 16
/// elements.
///
/// XLA rewrites a long scan into blocks of 16. Each block is summed
/// sequentially, the block totals are scanned recursively into offsets, and
/// each offset is added to its block's running sums.
func xlaCumulativeSum(_ values: [Float]) -> [Float] {
    let count = values.count
    let blockLength = cumulativeSumBlockLength
    if count <= blockLength {
        return sequentialCumulativeSum(values[...])
    }

    let blockCount = (count + blockLength - 1) / blockLength
    let padded = values + [Float](repeating: 0, count: blockCount * blockLength - count)
    var result = [Float]()
    result.reserveCapacity(padded.count)
    var blockTotals = [Float]()
    blockTotals.reserveCapacity(blockCount)
    for block in 0..<blockCount {
        let start = block * blockLength
        let blockSums = sequentialCumulativeSum(padded[start..<(start + blockLength)])
        result += blockSums
        blockTotals.append(blockSums[blockLength - 1])
    }

    let offsets = xlaExclusiveCumulativeSum(blockTotals)
    for index in result.indices {
        result[index] = result[index] + offsets[index / blockLength]
    }
    result.removeLast(result.count - count)
    return result
}

/// Computes the exclusive cumulative sum (element `i` sums the elements before
/// `i`) in XLA:CPU's order: sequential up to 16 elements, otherwise the inclusive sum
/// shifted by one.
private func xlaExclusiveCumulativeSum(_ values: [Float]) -> [Float] {
    if values.count <= cumulativeSumBlockLength {
        var result = [Float]()
        result.reserveCapacity(values.count)
        var sum: Float = 0
        for value in values {
            result.append(sum)
            sum += value
        }
        return result
    }
    return [0] + xlaCumulativeSum(values).dropLast()
}

private func sequentialCumulativeSum(_ values: ArraySlice<Float>) -> [Float] {
    var result = [Float]()
    result.reserveCapacity(values.count)
    var sum: Float = 0
    for value in values {
        sum += value
        result.append(sum)
    }
    return result
}
