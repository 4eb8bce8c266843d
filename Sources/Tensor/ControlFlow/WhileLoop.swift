/// Applies `body` to the carry while `condition` returns true (`jax.lax.while_loop`),
/// as one primitive that transformations keep instead of unrolling.
///
/// The carry is any tree of tensors. The body must return a tree of the same
/// structure, shapes and dtypes, and the condition must return a bool scalar. Under `vmap` with a
/// condition that differs between examples, the loop runs until every example is done
/// and keeps the carries of finished examples unchanged, as JAX does.
///
/// ```swift
/// let steps = whileLoop(condition: { c in c .< 100 }, body: { c in c * 2 }, initial: Tensor(Int32(1)))
/// ```
///
/// Stops when the body changes the carry's structure, a leaf's shape or dtype (naming
/// the leaf path), or when the condition returns anything but a bool scalar. `grad`
/// through a while loop stops, as in JAX, because the trip count is unknown: use
/// `forLoop` with Swift bounds or `scan` instead.
public func whileLoop<Carry: Tree>(
    condition: @escaping (Carry) -> Tensor, body: @escaping (Carry) -> Carry, initial: Carry
) -> Carry {
    let (leaves, definition) = treeFlatten(initial)
    let result = bindWhile(
        condition: { condition(treeUnflatten(definition, $0)) },
        body: { carry in
            let next = body(treeUnflatten(definition, carry))
            if let difference = treeStructureDifference(initial, next) {
                preconditionFailure(
                    "whileLoop: the body changed the structure of the carry \(difference); "
                        + "it must return a tree of the same structure as the initial carry")
            }
            return treeLeaves(next)
        },
        initial: leaves, operation: "whileLoop", labels: leafLabels(initial, root: "the carry"))
    return treeUnflatten(definition, result)
}

/// Applies `body(i, carry)` for `i` from `lower` up to `upper - 1`, where the bounds
/// are integer scalar tensors (`jax.lax.fori_loop` with traced bounds). The loop runs
/// as a `whileLoop` because its trip count is known only at run time, so `vmap` works
/// with batched bounds but `grad` stops: use `forLoop` with Int bounds to differentiate.
/// The index is an int32 scalar tensor.
public func forLoop<Carry: Tree>(
    _ lower: Tensor, _ upper: Tensor, body: @escaping (_ index: Tensor, _ carry: Carry) -> Carry, initial: Carry
) -> Carry {
    for bound in [lower, upper] {
        precondition(
            bound.rank == 0 && bound.dtype.isInteger,
            "forLoop: the bounds must be integer scalars, but one is \(bound.type)")
    }
    let (leaves, definition) = treeFlatten(initial)
    let end = upper.astype(.int32)
    let result = bindWhile(
        condition: { carry in carry[0] .< end },
        body: { carry in
            let index = carry[0]
            let next = body(index, treeUnflatten(definition, Array(carry.dropFirst())))
            if let difference = treeStructureDifference(initial, next) {
                preconditionFailure(
                    "forLoop: the body changed the structure of the carry \(difference); "
                        + "it must return a tree of the same structure as the initial carry")
            }
            return [index + 1] + treeLeaves(next)
        },
        initial: [lower.astype(.int32)] + leaves, operation: "forLoop",
        labels: ["the loop index"] + leafLabels(initial, root: "the carry"))
    return treeUnflatten(definition, Array(result.dropFirst()))
}

/// `whileLoop` on a flat list of tensors.
public func whileLoopFlat(
    condition: @escaping ([Tensor]) -> Tensor, body: @escaping ([Tensor]) -> [Tensor], initial: [Tensor]
) -> [Tensor] {
    bindWhile(
        condition: condition, body: body, initial: initial, operation: "whileLoop",
        labels: indexLabels("carry", count: initial.count))
}

func bindWhile(
    condition: @escaping ([Tensor]) -> Tensor, body: @escaping ([Tensor]) -> [Tensor], initial: [Tensor],
    operation: String, labels: [String]
) -> [Tensor] {
    let carryTypes = initial.map(\.type)
    let closedCondition = closeBody({ [condition($0)] }, inputTypes: carryTypes, name: "the condition of \(operation)")
    let predicateType = closedCondition.outputTypes[0]
    precondition(
        predicateType == TensorType(shape: [], dtype: .bool),
        "\(operation): the condition must return a bool scalar, but it returns \(predicateType); "
            + "compare (c .< n) or reduce (any(), all()) to get one")

    let closedBody = closeBody(body, inputTypes: carryTypes, name: "the body of \(operation)")
    checkTypes(
        closedBody.outputTypes, expected: carryTypes, labels: labels, operation: operation,
        problem: "the body changed the carry",
        advice: "The carry must keep its shapes and dtypes in every iteration (cast with astype if needed).")

    let primitive = WhileLoop(condition: closedCondition, body: closedBody)
    return bind(primitive, initial + closedCondition.captured + closedBody.captured)
}

/// The primitive behind `whileLoop` (JAX's `while`).
///
/// Inputs: the carry, the condition's captured tensors, then the body's.
struct WhileLoop: CallsHostClosures {
    let condition: ClosedBody
    let body: ClosedBody

    var name: String { "while" }

    private var carryCount: Int { body.inputTypes.count }

    private func split<T>(_ inputs: [T]) -> (carry: [T], condition: [T], body: [T]) {
        let conditionEnd = carryCount + condition.captured.count
        return (Array(inputs[..<carryCount]), Array(inputs[carryCount..<conditionEnd]), Array(inputs[conditionEnd...]))
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let expected = body.inputTypes + condition.captured.map(\.type) + body.captured.map(\.type)
        checkTypes(
            inputs, expected: expected, labels: indexLabels("input", count: expected.count), operation: "whileLoop",
            problem: "the inputs differ from the types the loop was traced with", advice: "")
        return body.inputTypes
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let (initial, conditionCaptured, bodyCaptured) = split(inputs)
        var carry = initial
        while condition(carry + conditionCaptured)[0].item(as: Bool.self) {
            carry = body(carry + bodyCaptured)
        }
        return carry
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure(
            "whileLoop: reverse-mode differentiation (grad, vjp) is not supported, because the number of "
                + "iterations is known only at run time. Use forLoop with Int bounds, or scan, for a loop "
                + "that grad can differentiate.")
    }

    /// Runs with every carry batched until the condition is false for all examples.
    /// `select` keeps the carries of examples whose condition is already false.
    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let size = Batching.batchSize(inputs, axes: axes)
        let (initial, conditionCaptured, bodyCaptured) = split(inputs)
        let (carryAxes, conditionAxes, bodyAxes) = split(axes)
        let carry = zip(initial, carryAxes).map { Batching.materialize($0, axis: $1, size: size) }
        let batchedCarryAxes = [Int?](repeating: 0, count: carryCount)

        let condition = self.condition
        let body = self.body
        let predicates = { (carry: [Tensor]) -> Tensor in
            callBatched(
                { condition($0) }, carry + resolveCaptured(conditionCaptured), axes: batchedCarryAxes + conditionAxes, size: size)[0]
        }
        let result = bindWhile(
            condition: { carry in predicates(carry).any() },
            body: { carry in
                let running = predicates(carry)
                let next = callBatched({ body($0) }, carry + resolveCaptured(bodyCaptured), axes: batchedCarryAxes + bodyAxes, size: size)
                return zip(next, carry).map { updated, current in
                    let mask = running.reshaped([size] + [Int](repeating: 1, count: updated.rank - 1))
                    return select(mask, updated, current)
                }
            },
            initial: carry, operation: "whileLoop (vmap)", labels: indexLabels("batched carry", count: carryCount))
        return (result, batchedCarryAxes)
    }
}
