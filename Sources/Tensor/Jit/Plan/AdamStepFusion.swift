/// Adam's update fused with the two steps that usually follow it in a training step:
/// the learning-rate scaling (`direction * scale`, Optax's `scale_by_learning_rate`)
/// and the parameter step (`param + update`, Optax's `apply_updates`).
///
/// Inputs: `g, mu, nu, c1, c2` as for `AdamUpdate`, then the float32 scalar `scale` and
/// the parameter tensor. Outputs: the new parameter, `mu'` and `nu'`. The operations
/// and their order are those of the three unfused steps, so the bits are the same. The
/// direction is never stored. This step exists only inside compiled plans.
struct AdamApply: DestinationPassingPrimitive {
    let update: AdamUpdate

    var name: String { "adam_update_apply" }
    var parameterDescription: String { update.parameterDescription }
    var isPointwise: Bool { true }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        update.outputTypes(Array(inputs[0..<5]))
    }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        update.run(Array(inputs[0..<5]), outputs, parameterStep: (param: inputs[6], scale: inputs[5]))
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
                AdamApply(update: update), step.inputs + [scale, param], step.inputTypes + [scaleType, paramType],
                [steps[stepping].outputs[0]] + Array(movedOutputs), step.types
            )
            removed.formUnion([index, scaling])
        }

        return steps.enumerated().compactMap { index, step in
            if removed.contains(index) { return nil }
            return replaced[index] ?? step
        }
    }

    private static func isBinary(_ step: PendingStep, _ operation: BinaryOperation) -> Bool {
        guard let binary = step.primitive as? ElementwiseBinary, binary.operation == operation else { return false }
        return step.inputTypes.allSatisfy { $0.dtype == .float32 }
    }
}
