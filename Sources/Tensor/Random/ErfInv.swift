// Float32 inverse error function, computed as XLA expands `chlo.erf_inv` for
// JAX 0.10.2 on CPU, so that `normal` and `truncatedNormal` match JAX's values.

/// Coefficients of the two polynomials of XLA's float32 erfinv, as float32 bit
/// patterns, highest power first. The central set is used for w < 5 and the
/// tail set otherwise, where w = -log(1 - x^2).
private let erfInvCentralCoefficients: [Float] = [
    0x32F1_6588, 0x34B8_4B36, 0xB66C_7357, 0xB693_5AC1, 0x3965_32DB,
    0xBAA4_5408, 0xBB88_E4EF, 0x3E7C_8F63, 0x3FC0_2E2F,
].map { Float(bitPattern: $0) }
private let erfInvTailCoefficients: [Float] = [
    0xB951_F09B, 0x38D3_B56B, 0x3AB0_DC72, 0xBB70_BDE7, 0x3BBC_127B,
    0xBBF9_C5D7, 0x3C1A_A57E, 0x3F80_36DB, 0x4035_4F7E,
].map { Float(bitPattern: $0) }

/// Computes the inverse error function in float32 as JAX's `lax.erf_inv` does
/// on XLA:CPU. It is bit-identical to JAX 0.10.2 for all 2^23 inputs that
/// `normal` can produce.
///
/// Returns ±infinity for x = ±1 and NaN for |x| > 1 or NaN.
func erfInv(_ x: Float) -> Float {
    // w = -log(1 - x^2), computed through log1p as XLA does.
    let w = -xlaLog1p(x * -x)
    let isCentral = w < 5
    let coefficients = isCentral ? erfInvCentralCoefficients : erfInvTailCoefficients
    let shifted = isCentral ? w - 2.5 : w.squareRoot() - 3

    var polynomial = coefficients[0]
    for coefficient in coefficients.dropFirst() {
        polynomial = coefficient.addingProduct(polynomial, shifted)
    }
    if abs(x) == 1 {
        return x * .infinity
    }
    return x * polynomial
}
