/// `select_n` whose condition is a float32 comparison, as one step of a plan being
/// compiled: inputs `[x, y, onTrue, onFalse]` give `compare(x, y) ? onTrue : onFalse`.
///
/// `ElementwiseFusion` puts it in place of a select whose condition another step
/// compares, so that both join a fused pass, which recomputes the comparison instead of
/// reading the bool tensor. A select that no pass takes keeps its original step, so this
/// primitive runs only inside `FusedElementwise`. Its `evaluate` still computes the
/// value with the two original kernels.
struct ComparisonSelect: Primitive {
    let comparison: BinaryOperation

    var name: String { "comparison_select" }
    var parameterDescription: String { "comparison=\(comparison.jaxName)" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let mask = ElementwiseBinary(operation: comparison).outputTypes([inputs[0], inputs[1]])[0]
        return Select().outputTypes([mask, inputs[2], inputs[3]])
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let compare = ElementwiseBinary(operation: comparison)
        let maskType = compare.outputTypes([inputs[0].type, inputs[1].type])
        let mask = compare.evaluate([inputs[0], inputs[1]], types: maskType)[0]
        return Select().evaluate([mask, inputs[2], inputs[3]], types: types)
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure("comparison_select: exists only in compiled plans and is not differentiated")
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        preconditionFailure("comparison_select: exists only in compiled plans and is not batched")
    }
}
