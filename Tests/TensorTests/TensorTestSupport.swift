import Testing
@testable import Tensor

/// Whether `actual` and `expected` agree within `tolerance`, relative to the larger
/// magnitude (absolute below 1). NaN matches NaN, and infinities must match exactly.
func isApproximatelyEqual(_ actual: Float, _ expected: Float, tolerance: Float = 1e-6) -> Bool {
    if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
    if actual.isInfinite || expected.isInfinite { return actual == expected }
    let scale = Swift.max(1, Swift.abs(expected), Swift.abs(actual))
    return Swift.abs(actual - expected) <= tolerance * scale
}

/// Checks that `tensor` has `shape` and elements close to `expected` (row-major).
func expectClose(
    _ tensor: Tensor, _ expected: [Float], shape: [Int]? = nil, tolerance: Float = 1e-6,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let shape {
        #expect(tensor.shape == shape, sourceLocation: sourceLocation)
    }
    let actual = tensor.floats
    #expect(actual.count == expected.count, "element count", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        #expect(isApproximatelyEqual(a, e, tolerance: tolerance), "element \(index): \(a) != \(e)", sourceLocation: sourceLocation)
    }
}

/// Checks that every element of `tensor` is bitwise the same float as in `expected`,
/// so that NaN, infinities and signed zeros are told apart.
func expectIdentical(_ tensor: Tensor, _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(tensor.floats.map(\.bitPattern) == expected.map(\.bitPattern), "\(tensor.floats) != \(expected)", sourceLocation: sourceLocation)
}

/// The float32 matrix product computed with three plain loops, as a reference.
func referenceMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var total: Float = 0
            for p in 0..<k { total += a[i * k + p] * b[p * n + j] }
            out[i * n + j] = total
        }
    }
    return out
}
