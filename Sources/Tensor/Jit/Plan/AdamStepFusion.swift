/// Adam's update fused with the two steps that usually follow it in a training step:
/// the learning-rate scaling (`direction * scale`, Optax's `scale_by_learning_rate`)
/// and the parameter step (`param + update`, Optax's `apply_updates`), for one or
/// more parameter tensors that share the bias corrections and the scale.
///
/// Inputs: `g, mu, nu, param` of each leaf in turn (one shape per leaf), then the
/// float32 scalars `c1, c2` (as for `AdamUpdate`) and `scale`. Outputs: the new
/// parameter, `mu'` and `nu'` of each leaf in turn. The operations and their order
/// are those of the three unfused steps, so the bits are the same. The direction is
/// never stored. This step exists only inside compiled plans.
struct AdamApply: DestinationPassingPrimitive {
    let update: AdamUpdate
    /// The number of parameter tensors updated.
    let leafCount: Int

    var name: String { "adam_update_apply" }
    var parameterDescription: String {
        update.parameterDescription + (leafCount > 1 ? " leaves=\(leafCount)" : "")
    }
    var isPointwise: Bool { true }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let corrections = Array(inputs[(4 * leafCount)..<(4 * leafCount + 2)])
        return (0..<leafCount).flatMap { leaf in
            update.outputTypes(Array(inputs[(4 * leaf)..<(4 * leaf + 3)]) + corrections)
        }
    }

    /// Returns whether the output may take the input's buffer: only within one leaf,
    /// because the kernel reads an element's inputs before writing it, but other leaves
    /// run at other times.
    func mayWrite(output: Int, over input: Int) -> Bool {
        input < 4 * leafCount && input / 4 == output / 3
    }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        func pointer(_ tensor: Tensor) -> UnsafeMutablePointer<Float> { tensor.storage!.pointer(as: Float.self) }
        let leaves = (0..<leafCount).map { leaf in
            AdamKernel.Leaf(
                gradient: pointer(inputs[4 * leaf]), mu: pointer(inputs[4 * leaf + 1]), nu: pointer(inputs[4 * leaf + 2]),
                param: pointer(inputs[4 * leaf + 3]), out: pointer(outputs[3 * leaf]), newMu: pointer(outputs[3 * leaf + 1]),
                newNu: pointer(outputs[3 * leaf + 2]), count: inputs[4 * leaf].size)
        }
        let constants = update.constants(correction1: inputs[4 * leafCount], correction2: inputs[4 * leafCount + 1])
        let scale = inputs[4 * leafCount + 2].scalars(as: Float.self)[0]
        withExtendedLifetime((inputs, outputs)) {
            AdamKernel.run(leaves, constants, scale: scale)
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure("adam_update_apply: fused steps exist only in compiled plans and are not differentiated")
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        preconditionFailure("adam_update_apply: fused steps exist only in compiled plans and are not batched")
    }
}

/// Replaces `adam_update` followed by `mul direction scale` and `add param update`,
/// where nothing else reads the direction or the update, by one `AdamApply` step at
/// the position of the `add`. Multiplication and addition commute exactly in IEEE
/// arithmetic, so either operand order matches.
enum AdamStepFusion {
    static func fuse(_ steps: [PendingStep], outputSlots: [Int]) -> [PendingStep] {
        var readers = [Int: [Int]]()  // slot -> indices of the steps that read it
        for (index, step) in steps.enumerated() {
            for input in Set(step.inputs) { readers[input, default: []].append(index) }
        }
        let returned = Set(outputSlots)
        func onlyReader(of slot: Int) -> Int? {
            guard !returned.contains(slot), let list = readers[slot], list.count == 1 else { return nil }
            return list[0]
        }

        var replaced = [Int: PendingStep]()
        var removed = Set<Int>()
        for (index, step) in steps.enumerated() {
            guard let update = step.primitive as? AdamUpdate,
                let scaling = onlyReader(of: step.outputs[0]), isBinary(steps[scaling], .multiply),
                let stepping = onlyReader(of: steps[scaling].outputs[0]), isBinary(steps[stepping], .add)
            else { continue }
            let direction = step.outputs[0]
            let scaled = steps[scaling].outputs[0]
            let type = step.types[0]

            // The scale is the multiply's other operand, and the parameter is the add's.
            guard let scaleIndex = steps[scaling].inputs.firstIndex(where: { $0 != direction }),
                let paramIndex = steps[stepping].inputs.firstIndex(where: { $0 != scaled })
            else { continue }
            let scaleType = steps[scaling].inputTypes[scaleIndex]
            let paramType = steps[stepping].inputTypes[paramIndex]
            guard scaleType.size == 1 && scaleType.dtype == .float32, paramType == type, steps[stepping].types[0] == type
            else { continue }

            // The moments move to the add's position, so no step before it may read them.
            let movedOutputs = step.outputs[1...]
            let readEarly = movedOutputs.contains { slot in (readers[slot] ?? []).contains { $0 <= stepping } }
            guard !readEarly, !removed.contains(index), replaced[stepping] == nil else { continue }

            let scale = steps[scaling].inputs[scaleIndex]
            let param = steps[stepping].inputs[paramIndex]
            replaced[stepping] = (
                AdamApply(update: update, leafCount: 1),
                Array(step.inputs[0..<3]) + [param] + Array(step.inputs[3..<5]) + [scale],
                Array(step.inputTypes[0..<3]) + [paramType] + Array(step.inputTypes[3..<5]) + [scaleType],
                [steps[stepping].outputs[0]] + Array(movedOutputs), step.types
            )
            removed.formUnion([index, scaling])
        }

        let fused = steps.enumerated().compactMap { index, step in
            removed.contains(index) ? nil : (replaced[index] ?? step)
        }
        return merged(fused)
    }

    /// Merges the `AdamApply` steps that share their constants, bias corrections and
    /// scale, and whose outputs no step reads, into one step at the last one's place,
    /// so that one parallel pass updates every parameter tensor. Moving a step later
    /// is safe because its inputs already exist and nothing before reads its outputs.
    private static func merged(_ steps: [PendingStep]) -> [PendingStep] {
        let read = Set(steps.flatMap(\.inputs))
        var members = [String: [Int]]()  // constants and shared slots -> step indices
        for (index, step) in steps.enumerated() {
            guard let apply = step.primitive as? AdamApply, !step.outputs.contains(where: read.contains) else { continue }
            let shared = step.inputs[(4 * apply.leafCount)...].map(String.init).joined(separator: ",")
            members[apply.update.parameterDescription + " " + shared, default: []].append(index)
        }

        var replaced = [Int: PendingStep]()
        var removed = Set<Int>()
        for indices in members.values where indices.count > 1 {
            var inputs = [Int]()
            var inputTypes = [TensorType]()
            var outputs = [Int]()
            var types = [TensorType]()
            var leafCount = 0
            for index in indices {
                let step = steps[index]
                let apply = step.primitive as! AdamApply
                inputs += step.inputs[..<(4 * apply.leafCount)]
                inputTypes += step.inputTypes[..<(4 * apply.leafCount)]
                outputs += step.outputs
                types += step.types
                leafCount += apply.leafCount
            }
            // The bias corrections and the scale, which every member shares.
            let last = steps[indices.last!]
            let lastApply = last.primitive as! AdamApply
            inputs += last.inputs[(4 * lastApply.leafCount)...]
            inputTypes += last.inputTypes[(4 * lastApply.leafCount)...]
            replaced[indices.last!] = (
                AdamApply(update: lastApply.update, leafCount: leafCount), inputs, inputTypes, outputs, types
            )
            removed.formUnion(indices.dropLast())
        }
        return steps.enumerated().compactMap { index, step in
            removed.contains(index) ? nil : (replaced[index] ?? step)
        }
    }

    private static func isBinary(_ step: PendingStep, _ operation: BinaryOperation) -> Bool {
        guard let binary = step.primitive as? ElementwiseBinary, binary.operation == operation else { return false }
        return step.inputTypes.allSatisfy { $0.dtype == .float32 }
    }
}
