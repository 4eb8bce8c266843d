import CKernels
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Tensor

/// The constants of one Adam step as the C kernel takes them.
private struct StepConstants {
    var keep1: Float = 0.1
    var decay1: Float = 0.9
    var keep2: Float = 0.001
    var decay2: Float = 0.999
    var correction1: Float
    var correction2: Float
    var eps: Float = 1e-8
    var epsRoot: Float = 0
    var scale: Float = -0.001
}

/// The update and parameter step in plain Swift, one correctly rounded operation at a
/// time in the order of the kernel's formula: the definition every path must match.
/// Returns the new parameter, the new moments and the direction.
private func referenceStep(_ g: Float, _ mu: Float, _ nu: Float, _ param: Float, _ c: StepConstants) -> SIMD4<Float> {
    let m = c.keep1 * g + c.decay1 * mu
    let v = c.keep2 * (g * g) + c.decay2 * nu
    let root = (v / c.correction2 + c.epsRoot).squareRoot()
    let direction = (m / c.correction1) / (root + c.eps)
    return SIMD4(param + direction * c.scale, m, v, direction)
}

/// Runs the kernel on `path` and returns the new parameters, first and second moments.
private func kernelStep(
    _ path: weft_path, _ g: [Float], _ mu: [Float], _ nu: [Float], _ param: [Float], _ c: StepConstants
) -> [[Float]] {
    let count = g.count
    var out = [Float](repeating: 0, count: count)
    var newMu = out
    var newNu = out
    weft_adam_f32_path(
        path, g, mu, nu, param, &out, &newMu, &newNu, count, c.keep1, c.decay1, c.keep2, c.decay2, c.correction1,
        c.correction2, c.eps, c.epsRoot, c.scale)
    return [out, newMu, newNu]
}

/// Runs `referenceStep` on every element and returns the new parameters, first and
/// second moments and directions, one array each.
private func referenceSteps(
    _ g: [Float], _ mu: [Float], _ nu: [Float], _ param: [Float], _ c: StepConstants
) -> [[Float]] {
    var outputs = [[Float]](repeating: [Float](repeating: 0, count: g.count), count: 4)
    for index in g.indices {
        let step = referenceStep(g[index], mu[index], nu[index], param[index], c)
        for output in 0..<4 { outputs[output][index] = step[output] }
    }
    return outputs
}

/// Returns the number of elements where `got` and `expected` differ in bits (any NaN
/// equals any NaN), with the first few of them.
private func mismatches(_ got: [Float], _ expected: [Float]) -> (count: Int, first: [(Int, Float, Float)]) {
    var count = 0
    var first = [(Int, Float, Float)]()
    for index in got.indices where got[index].bitPattern != expected[index].bitPattern {
        if got[index].isNaN && expected[index].isNaN { continue }
        count += 1
        if first.count < 3 { first.append((index, got[index], expected[index])) }
    }
    return (count, first)
}

/// Runs the kernel on every supported path, with and without the parameter, and
/// expects the bits of `referenceSteps` (computed by the caller in the same rounding
/// mode) in every output.
private func expectEveryPathMatches(
    _ g: [Float], _ mu: [Float], _ nu: [Float], _ param: [Float], _ c: StepConstants, _ expected: [[Float]]
) {
    for path in supportedPaths {
        let got = kernelStep(path, g, mu, nu, param, c)
        for output in 0..<3 {
            let wrong = mismatches(got[output], expected[output])
            #expect(wrong.count == 0, "path \(path.rawValue), output \(output): \(wrong.first)")
        }

        var direction = [Float](repeating: 0, count: g.count)
        var newMu = direction
        var newNu = direction
        weft_adam_f32_path(
            path, g, mu, nu, nil, &direction, &newMu, &newNu, g.count, c.keep1, c.decay1, c.keep2, c.decay2,
            c.correction1, c.correction2, c.eps, c.epsRoot, 0)
        let wrong = mismatches(direction, expected[3])
        #expect(wrong.count == 0, "path \(path.rawValue), direction: \(wrong.first)")
    }
}

/// Every path of the Adam kernel against the scalar formula, bit for bit. The AVX-512 path
/// divides by the bias corrections through their reciprocals, so these tests sweep the
/// dividends densely and mix in the values that must take the divider.
@Suite struct AdamKernelPathTests {
    /// Corrections inside the reciprocal's range (the first five, the third and fourth at
    /// its ends) and outside it (the last two, which use the divider).
    static let corrections: [(Float, Float)] = [
        (0.271, 0.002_997), (1, 0.181_3), (0x1p-30, 0x1p30), (0x1p30, 0x1p-30), (-0.75, 3),
        (0x1.8p-31, 0.5), (0.5, 0x1p31),
    ]

    @Test(arguments: corrections.indices)
    func quotientsMatchDivisionDensely(index: Int) {
        // With keep = 0 and decay = 1 the moments are the inputs themselves, so the
        // dividends run through every 16th significand of a binade, with both signs
        // for the first moment.
        let (correction1, correction2) = Self.corrections[index]
        let constants = StepConstants(
            keep1: 0, decay1: 1, keep2: 0, decay2: 1, correction1: correction1, correction2: correction2)
        let count = 1 << 19
        let g = [Float](repeating: 0, count: count)
        let mu = (0..<count).map { Float(bitPattern: (127 - 5) << 23 | UInt32($0 * 16) | UInt32($0 % 2) << 31) }
        let nu = (0..<count).map { Float(bitPattern: (127 - 20) << 23 | UInt32($0 * 16 + 3)) }
        let param = [Float](repeating: 0.5, count: count)
        let expected = referenceSteps(g, mu, nu, param, constants)

        expectEveryPathMatches(g, mu, nu, param, constants, expected)
    }

    @Test(arguments: corrections.indices)
    func valuesOutsideQuotientRangeMatch(index: Int) {
        // Zeros, values just outside [2^-70, 2^90], subnormals, infinities and NaN, one
        // in every few lanes among ordinary values, so that vectors switch between the
        // reciprocal and the divider.
        let (correction1, correction2) = Self.corrections[index]
        let constants = StepConstants(correction1: correction1, correction2: correction2)
        let special: [Float] = [
            0, -0, 0x1p-70, 0x1.fffffep-71, -0x1p-71, 0x1p90, 0x1.000002p90, -0x1p91, 0x1p-133, -0x1p-149, .infinity,
            -.infinity, .nan, 3e38,
        ]
        let count = 4099
        let ordinary = mixedValues(count * 4, seed: UInt64(index) + 5)
        func column(_ offset: Int, _ period: Int) -> [Float] {
            (0..<count).map { index in
                index % period == 0 ? special[(index / period + offset) % special.count] : ordinary[index * 4 + offset]
            }
        }
        let g = column(0, 7)
        let mu = column(1, 5)
        let nu = column(2, 3).map(abs)
        let param = column(3, 11)
        let expected = referenceSteps(g, mu, nu, param, constants)

        expectEveryPathMatches(g, mu, nu, param, constants, expected)
    }

    @Test func negativeZeroMomentKeepsItsSign() {
        // A gradient and first moment of -0 give m = -0, whose quotient by the
        // correction is -0. Every other lane of the vector lies in the reciprocal's
        // range, so only the -0 decides which way the vector goes.
        let constants = StepConstants(correction1: 0.271, correction2: 0.002_997)
        let count = 64
        let g = (0..<count).map { $0 % 5 == 0 ? -Float.zero : Float($0 + 1) * 0.01 }
        let mu = (0..<count).map { $0 % 5 == 0 ? -Float.zero : Float($0 + 1) * -0.003 }
        let nu = (0..<count).map { Float($0 + 1) * 0.002 }
        let param = [Float](repeating: 0.5, count: count)
        let expected = referenceSteps(g, mu, nu, param, constants)
        #expect(expected[1][0] == 0)
        #expect(expected[1][0].sign == .minus)

        expectEveryPathMatches(g, mu, nu, param, constants, expected)
    }

    @Test(arguments: directedRoundingModes)
    func directedRoundingMatchesFormula(mode: Int32) {
        // The reciprocal's corrections hold only when rounding to nearest, so the kernel
        // divides in the other modes, and its bits follow the mode like the formula's.
        let constants = StepConstants(keep1: 1, decay1: 0, keep2: 0, decay2: 1, correction1: 0.271, correction2: 0.002_997)
        let count = 1 << 14
        // Every third gradient is the correction times a power of two, whose quotient is
        // exact: rounding toward zero or down then needs the divider's exact result.
        let g = (0..<count).map { index in
            let sign: Float = index % 2 == 0 ? 1 : -1
            if index % 3 == 0 {
                return sign * constants.correction1 * Float(sign: .plus, exponent: index % 8 - 4, significand: 1)
            }
            return sign * Float(bitPattern: 127 << 23 | UInt32(index * 512 + 7))
        }
        let mu = [Float](repeating: 0, count: count)
        let nu = (0..<count).map { Float(bitPattern: (127 - 20) << 23 | UInt32($0 * 512 + 3)) }
        let param = [Float](repeating: 0.5, count: count)

        fesetround(mode)
        defer { fesetround(roundingToNearest) }
        let expected = referenceSteps(g, mu, nu, param, constants)
        expectEveryPathMatches(g, mu, nu, param, constants, expected)
    }
}

/// `AdamKernel.run`, which cuts leaves into halves and parts, against one call per leaf.
@Suite struct AdamKernelPartsTests {
    @Test(arguments: [false, true])
    func partsCoverEveryElementOnce(twoThreads: Bool) {
        // A layer's 784 x 128 weights, a bias, a 128 x 10 matrix, a scalar, a 3-element
        // vector and 100 x 96 weights in one update, written in place as in a compiled
        // step: an element left out or updated twice gives other bits.
        let counts = [784 * 128, 128, 128 * 10, 1, 3, 100 * 96]
        let constants = AdamConstants(
            keep1: 0.1, decay1: 0.9, keep2: 0.001, decay2: 0.999, correction1: 0.271, correction2: 0.002_997, eps: 1e-8,
            epsRoot: 0, addsRoot: false)
        // Per leaf: g, mu, nu and param, which receive the new mu, nu and param.
        let buffers = counts.enumerated().map { index, count in
            (0..<4).map { buffer in
                let pointer = UnsafeMutablePointer<Float>.allocate(capacity: count)
                let values = mixedValues(count, seed: UInt64(index * 4 + buffer))
                pointer.initialize(from: buffer == 2 ? values.map(abs) : values, count: count)
                return pointer
            }
        }
        defer { buffers.joined().forEach { $0.deallocate() } }
        let expected = zip(counts, buffers).map { count, pointers in
            var newParam = [Float](repeating: 0, count: count)
            var newMu = newParam
            var newNu = newParam
            weft_adam_f32_path(
                WEFT_PATH_SCALAR, pointers[0], pointers[1], pointers[2], pointers[3], &newParam, &newMu, &newNu, count,
                constants.keep1, constants.decay1, constants.keep2, constants.decay2, constants.correction1,
                constants.correction2, constants.eps, 0, -0.01)
            return [newMu, newNu, newParam]
        }

        let leaves = zip(counts, buffers).map { count, pointers in
            AdamKernel.Leaf(
                gradient: pointers[0], mu: pointers[1], nu: pointers[2], param: pointers[3], out: pointers[3],
                newMu: pointers[1], newNu: pointers[2], count: count)
        }
        if twoThreads {
            AdamKernel.run(leaves, constants, scale: -0.01)
        } else {
            Parallel.withoutHelper { AdamKernel.run(leaves, constants, scale: -0.01) }
        }

        for (leaf, pointers) in buffers.enumerated() {
            let count = counts[leaf]
            for output in 0..<3 {
                let got = Array(UnsafeBufferPointer(start: pointers[1 + output], count: count))
                let wrong = mismatches(got, expected[leaf][output])
                #expect(wrong.count == 0, "count \(count), output \(output): \(wrong.first)")
            }
        }
    }
}
