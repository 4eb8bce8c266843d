import Testing
@testable import Tensor

/// The fused Adam kernel against its composite formula, bit for bit.
struct AdamUpdateTests {
    @Test(arguments: [1, 3, 4, 7, 8, 9, 17, 1000])
    func fusedKernelEqualsCompositeBits(count: Int) {
        let keys = split(PRNGKey(7), count: 3)
        let gradient = normal(keys[0], shape: [count])
        let mu = normal(keys[1], shape: [count]) * 0.1
        let nu = abs(normal(keys[2], shape: [count])) * 0.01
        let correction1 = Tensor(Float(1 - 0.9 * 0.9 * 0.9))
        let correction2 = Tensor(Float(1 - 0.999 * 0.999 * 0.999))

        for epsRoot in [0.0, 1e-8] {
            let primitive = AdamUpdate(b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: epsRoot)
            let inputs = [gradient, mu, nu, correction1, correction2]
            let fused = bind(primitive, inputs)
            let composite = primitive.composite(inputs)

            for output in 0..<3 {
                let fusedBits = fused[output].scalars(as: Float.self).map(\.bitPattern)
                let compositeBits = composite[output].scalars(as: Float.self).map(\.bitPattern)
                #expect(fusedBits == compositeBits, "output \(output), epsRoot \(epsRoot)")
            }
        }
    }

    @Test func mismatchedMomentShapeStops() async {
        await #expect(processExitsWith: .failure) {
            _ = adamUpdate(
                gradient: Tensor.zeros([3]), mu: Tensor.zeros([4]), nu: Tensor.zeros([3]),
                correction1: Tensor(Float(0.1)), correction2: Tensor(Float(0.001)),
                b1: 0.9, b2: 0.999, eps: 1e-8, epsRoot: 0)
        }
    }
}
