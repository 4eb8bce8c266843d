/// Removes steps that repeat an earlier step: the same kernel with the same parameters
/// applied to the same slots. Their readers read the earlier step's outputs instead.
/// Backward passes produce such repeats, for example the two products `ct * x` of the
/// derivative of `x * x`.
///
/// Only kernels whose name, parameters and inputs determine their outputs take part:
/// elementwise arithmetic, conversions, reshapes, broadcasts, transposes, reductions
/// and matrix products. Steps that run closures, or draw random bits, never merge.
enum CommonSubexpressions {
    static func eliminate(_ steps: [PendingStep], outputSlots: [Int]) -> (steps: [PendingStep], outputSlots: [Int]) {
        var replacement = [Int: Int]()  // slot -> the equal slot computed earlier
        var seen = [String: [Int]]()  // step key -> its output slots
        var result = [PendingStep]()

        for step in steps {
            let inputs = step.inputs.map { replacement[$0] ?? $0 }
            var rewritten = step
            rewritten.inputs = inputs
            guard isPure(step.primitive) else {
                result.append(rewritten)
                continue
            }
            let types = step.types.map { "\($0.dtype)\(formatShape($0.shape))" }.joined(separator: ",")
            // The primitive's own description lists every stored property, so two
            // steps with equal keys compute the same values.
            let key = "\(String(describing: step.primitive)) \(inputs) \(types)"
            if let earlier = seen[key] {
                for (output, original) in zip(step.outputs, earlier) { replacement[output] = original }
                continue
            }
            seen[key] = step.outputs
            result.append(rewritten)
        }
        return (result, outputSlots.map { replacement[$0] ?? $0 })
    }

    private static func isPure(_ primitive: any Primitive) -> Bool {
        primitive is ElementwiseUnary || primitive is ElementwiseBinary || primitive is ConvertElementType
            || primitive is Reshape || primitive is BroadcastTo || primitive is Transpose || primitive is Reduce
            || primitive is MatMul
    }
}
