/// Gives the helper thread of `Parallel` its own copy of a matrix operand that a small
/// fused pass computes, such as a training batch converted from bytes.
///
/// A small pass writes its output into one core's cache, or into both when its parts
/// are shared. When the products that read the output are cut between the two
/// threads, each thread's parts fetch the other core's lines, and the next call's pass
/// has to take those lines back before writing them. On the MNIST training step,
/// converting the batch took 7.8 us on two threads against 3.5 us on one. With a
/// copy, the helper computes the same values into a buffer of its own while the calling
/// thread writes the original (`FusedElementwise.Output.copy`), and the helper's parts
/// of the products read the copy (`ProductWithHelperCopy`). The values are the same
/// bits, so results do not change.
enum HelperCopies {
    /// Adds copies for the helper. A fused pass qualifies when it stores a single
    /// float32 value of `minimumSize` elements or more with no more than `maximumWork`
    /// element operations, and a matrix product cut between the threads reads that
    /// value. The pass then stores a copy for the helper too, and those products read
    /// it. New slots are numbered from `slotCount`, which grows by one per copy.
    static func add(_ steps: [PendingStep], slotCount: inout Int) -> [PendingStep] {
        var steps = steps
        for index in steps.indices {
            let size = steps[index].types.first?.size ?? 0
            guard let pass = steps[index].primitive as? FusedElementwise, steps[index].outputs.count == 1,
                case .store(let instruction) = pass.results[0], steps[index].types[0].dtype == .float32,
                size >= minimumSize, size * max(pass.operationCount, 1) <= maximumWork
            else { continue }
            let value = steps[index].outputs[0]
            let readers = steps.indices.filter { $0 > index && readsInCutProduct(steps[$0], value) }
            guard !readers.isEmpty else { continue }

            let copy = slotCount
            slotCount += 1
            let type = steps[index].types[0]
            let withCopy = FusedElementwise(
                instructions: pass.instructions, shape: pass.shape, results: [.store(instruction), .copy(instruction)],
                resultTypes: [type, type], rowValued: pass.rowValued)
            steps[index] = (withCopy, steps[index].inputs, steps[index].inputTypes, [value, copy], [type, type])
            for reader in readers {
                let step = steps[reader]
                let product = ProductWithHelperCopy(
                    product: step.primitive as! MatMul, copiesA: step.inputs[0] == value, copiesB: step.inputs[1] == value)
                steps[reader] = (product, step.inputs + [copy], step.inputTypes + [type], step.outputs, step.types)
            }
        }
        return steps
    }

    /// The largest number of element operations (elements times operations) of a pass
    /// that each thread computes whole for its copy: about 10 us on one core here. Converting the
    /// MNIST batch (25,088 elements, one operation) took 3.5 us a copy, in parallel,
    /// against 7.8 us when its parts were shared between the threads.
    static let maximumWork = 1 << 16

    /// The smallest number of elements of a copied value (64 KB). Smaller values cost
    /// less to fetch from the other core than waking the helper for their copy. A copy
    /// of the MNIST step's 32 x 128 gradient before the second layer's products made
    /// the step slower (192-196 us against 191-194 us with the batch's copy alone).
    static let minimumSize = 1 << 14

    /// Returns whether `step` is a float32 product of two matrices that reads `slot` and
    /// that `Gemm` cuts between the two threads.
    private static func readsInCutProduct(_ step: PendingStep, _ slot: Int) -> Bool {
        guard let product = step.primitive as? MatMul, step.inputs.prefix(2).contains(slot),
            step.inputTypes.allSatisfy({ $0.dtype == .float32 && $0.shape.count == 2 })
        else { return false }
        let (m, k, n) = product.extents(step.inputTypes[0].shape, step.inputTypes[1].shape)
        return Gemm.splitsAcrossThreads(m: m, n: n, k: k)
    }
}

/// A product of two matrices (`dot_general` without batch axes) that also receives a
/// copy of one or both operands, which its parts on the helper thread read
/// (`HelperCopies`). Inputs: `a`, `b`, then the copy. It exists only inside compiled
/// plans, which never differentiate or batch it.
struct ProductWithHelperCopy: DestinationPassingPrimitive {
    let product: MatMul
    /// Whether the copy has the values of `a`, of `b`, or of both (`a` and `b` the same
    /// tensor).
    let copiesA: Bool
    let copiesB: Bool

    var name: String { product.name }
    var parameterDescription: String {
        let operands = [copiesA ? "lhs" : nil, copiesB ? "rhs" : nil].compactMap { $0 }
        return product.parameterDescription + " helper_copy=" + operands.joined(separator: ",")
    }
    var isPointwise: Bool { false }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        product.outputTypes(Array(inputs.prefix(2)))
    }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let (a, b, copy, out) = (inputs[0], inputs[1], inputs[2], outputs[0])
        let (m, k, n) = product.extents(a.shape, b.shape)
        func pointer(_ tensor: Tensor) -> UnsafeMutablePointer<Float> { tensor.storage!.pointer(as: Float.self) }
        withExtendedLifetime((inputs, outputs)) {
            let helperCopy = UnsafePointer(pointer(copy))
            Gemm.sgemm(
                pointer(a), transposeA: product.transposeA, pointer(b), transposeB: product.transposeB, pointer(out),
                m: m, n: n, k: k, helperA: copiesA ? helperCopy : nil, helperB: copiesB ? helperCopy : nil)
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure("dot_general: products with helper copies exist only in compiled plans and are not differentiated")
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        preconditionFailure("dot_general: products with helper copies exist only in compiled plans and are not batched")
    }
}
