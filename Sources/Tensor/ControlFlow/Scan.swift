/// Loops `f` over the leading axis of `xs` while threading a carry (`jax.lax.scan`),
/// as one primitive that transformations keep instead of unrolling.
///
/// Step `t` calls `f(carry, x_t)`, where `x_t` is every leaf of `xs` at index `t` of
/// axis 0, and gets the next carry and an output `y_t`. The result is the final carry
/// and the outputs stacked along a new leading axis of extent `length`. With `reverse`
/// the steps run from the last index to the first, and `y_t` still lands at index `t`.
/// `length` is required when `xs` has no leaves (pass `[Tensor]()`), and must match
/// the leading extent of its leaves otherwise.
///
/// `grad` differentiates through the loop by replaying it to store the carry before
/// each step and then running the body's vjp from the last step to the first, so the
/// memory grows with `length`, as in JAX. `vmap` batches the body.
///
/// ```swift
/// let (total, partialSums) = scan({ c, x in (c + x, c + x) }, initial: Tensor(Float(0)), xs: values)
/// ```
///
/// Stops when the body changes the carry's structure, a leaf's shape or dtype (naming
/// the leaf path), or when the leaves of `xs` differ in leading extent.
public func scan<Carry: Tree, X: Tree, Y: Tree>(
    _ f: @escaping (Carry, X) -> (Carry, Y), initial: Carry, xs: X, length: Int? = nil, reverse: Bool = false
) -> (carry: Carry, ys: Y) {
    let (carryLeaves, carryDefinition) = treeFlatten(initial)
    let (xLeaves, _) = treeFlatten(xs)
    let yTemplate = ValueBox<Y>()
    let result = bindScan(
        { carry, x in
            let slice = rebuildTree(xs, leaves: x)
            let (next, y) = f(treeUnflatten(carryDefinition, carry), slice)
            if let difference = treeStructureDifference(initial, next) {
                preconditionFailure(
                    "scan: the body changed the structure of the carry \(difference); "
                        + "it must return a tree of the same structure as the initial carry")
            }
            yTemplate.value = y
            return (treeLeaves(next), treeLeaves(y))
        },
        initial: carryLeaves, xs: xLeaves, length: length, reverse: reverse, operation: "scan",
        labels: leafLabels(initial, root: "the carry"))
    let (_, yDefinition) = treeFlatten(yTemplate.value!)
    return (treeUnflatten(carryDefinition, result.carry), treeUnflatten(yDefinition, result.ys))
}

/// `scan` on flat lists of tensors: `f` maps the carry and the slices of `xs` to the
/// next carry and the step's outputs.
public func scanFlat(
    _ f: @escaping (_ carry: [Tensor], _ x: [Tensor]) -> (carry: [Tensor], y: [Tensor]),
    initial: [Tensor], xs: [Tensor], length: Int? = nil, reverse: Bool = false
) -> (carry: [Tensor], ys: [Tensor]) {
    bindScan(
        f, initial: initial, xs: xs, length: length, reverse: reverse, operation: "scan",
        labels: indexLabels("carry", count: initial.count))
}

/// Applies `body(i, carry)` for `i` from `lower` up to `upper - 1`
/// (`jax.lax.fori_loop` with static bounds), as one loop primitive. The index is an
/// int32 scalar tensor. The Swift bounds fix the trip count, so the loop is a `scan`
/// without inputs, as in JAX, and `grad` differentiates through it. No iteration runs
/// when `upper <= lower`.
///
/// ```swift
/// let y = forLoop(0, 1000, body: { _, x in x * 0.99 + 0.01 }, initial: x)
/// ```
///
/// Stops when the body changes the carry's structure, a leaf's shape or dtype, naming
/// the leaf path.
public func forLoop<Carry: Tree>(
    _ lower: Int, _ upper: Int, body: @escaping (_ index: Tensor, _ carry: Carry) -> Carry, initial: Carry
) -> Carry {
    let (leaves, definition) = treeFlatten(initial)
    let result = bindForLoop(
        lower, upper,
        body: { index, carry in
            let next = body(index, treeUnflatten(definition, carry))
            if let difference = treeStructureDifference(initial, next) {
                preconditionFailure(
                    "forLoop: the body changed the structure of the carry \(difference); "
                        + "it must return a tree of the same structure as the initial carry")
            }
            return treeLeaves(next)
        },
        initial: leaves, labels: leafLabels(initial, root: "the carry"))
    return treeUnflatten(definition, result)
}

/// `forLoop` on a flat list of tensors.
public func forLoopFlat(
    _ lower: Int, _ upper: Int, body: @escaping (_ index: Tensor, _ carry: [Tensor]) -> [Tensor], initial: [Tensor]
) -> [Tensor] {
    bindForLoop(lower, upper, body: body, initial: initial, labels: indexLabels("carry", count: initial.count))
}

private func bindForLoop(
    _ lower: Int, _ upper: Int, body: @escaping (Tensor, [Tensor]) -> [Tensor], initial: [Tensor], labels: [String]
) -> [Tensor] {
    precondition(
        lower >= Int(Int32.min) && upper <= Int(Int32.max),
        "forLoop: the bounds \(lower) and \(upper) must fit in int32, the dtype of the loop index")
    let result = bindScan(
        { carry, _ in
            let index = carry[0]
            return ([index + 1] + body(index, Array(carry.dropFirst())), [])
        },
        initial: [Tensor(Int32(lower))] + initial, xs: [], length: Swift.max(0, upper - lower), reverse: false,
        operation: "forLoop", labels: ["the loop index"] + labels)
    return Array(result.carry.dropFirst())
}

/// Rebuilds a tree of the structure of `template` from `leaves`.
private func rebuildTree<T: Tree>(_ template: T, leaves: [Tensor]) -> T {
    var cursor = 0
    return rebuild(template, leaves, &cursor)
}

func bindScan(
    _ f: @escaping ([Tensor], [Tensor]) -> (carry: [Tensor], y: [Tensor]),
    initial: [Tensor], xs: [Tensor], length: Int?, reverse: Bool, operation: String, labels: [String]
) -> (carry: [Tensor], ys: [Tensor]) {
    for x in xs {
        precondition(x.rank >= 1, "\(operation): every leaf of xs needs a leading axis to scan over, but one is a scalar")
    }
    let extents = Set(xs.map { $0.shape[0] })
    precondition(
        extents.count <= 1,
        "\(operation): the leaves of xs have different leading extents \(xs.map { formatShape($0.shape) }.joined(separator: ", "))")
    guard let steps = length ?? extents.first else {
        preconditionFailure("\(operation): pass length when xs has no leaves")
    }
    precondition(
        extents.isEmpty || extents.first == steps,
        "\(operation): length is \(steps) but the leading extent of xs is \(extents.first!)")
    precondition(steps >= 0, "\(operation): length must not be negative, got \(steps)")

    let carryCount = initial.count
    let carryTypes = initial.map(\.type)
    let sliceTypes = xs.map { TensorType(shape: Array($0.shape.dropFirst()), dtype: $0.dtype) }
    let closed = closeBody(
        { inputs in
            let (carry, y) = f(Array(inputs[..<carryCount]), Array(inputs[carryCount...]))
            precondition(
                carry.count == carryCount,
                "\(operation): the body returned \(carry.count) carry tensors for \(carryCount) in the initial carry")
            return carry + y
        },
        inputTypes: carryTypes + sliceTypes, name: "the body of \(operation)")
    checkTypes(
        Array(closed.outputTypes[..<carryCount]), expected: carryTypes, labels: labels, operation: operation,
        problem: "the body changed the carry",
        advice: "The carry must keep its shapes and dtypes in every iteration (cast with astype if needed).")

    let primitive = Scan(body: closed, carryCount: carryCount, length: steps, reverse: reverse)
    let outputs = bind(primitive, initial + xs + closed.captured)
    return (Array(outputs[..<carryCount]), Array(outputs[carryCount...]))
}

/// The primitive behind `scan` and `forLoop` (JAX's `scan`).
///
/// Inputs: the carry, the stacked xs, then the body's captured tensors. Outputs: the
/// final carry, then the stacked ys.
struct Scan: CallsHostClosures {
    /// Maps the carry, the slices of xs and the captured tensors to the next carry and y.
    let body: ClosedBody
    let carryCount: Int
    let length: Int
    let reverse: Bool

    var name: String { "scan" }

    var parameterDescription: String { "length=\(length) reverse=\(reverse ? "True" : "False")" }

    private var xCount: Int { body.inputTypes.count - carryCount }

    private var yTypes: [TensorType] { Array(body.outputTypes[carryCount...]) }

    private func split<T>(_ inputs: [T]) -> (carry: [T], xs: [T], captured: [T]) {
        let xEnd = carryCount + xCount
        return (Array(inputs[..<carryCount]), Array(inputs[carryCount..<xEnd]), Array(inputs[xEnd...]))
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let carryTypes = Array(body.inputTypes[..<carryCount])
        let xTypes = body.inputTypes[carryCount...].map { TensorType(shape: [length] + $0.shape, dtype: $0.dtype) }
        let expected = carryTypes + xTypes + body.captured.map(\.type)
        checkTypes(
            inputs, expected: expected, labels: indexLabels("input", count: expected.count), operation: "scan",
            problem: "the inputs differ from the types the loop was traced with", advice: "")
        return carryTypes + yTypes.map { TensorType(shape: [length] + $0.shape, dtype: $0.dtype) }
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let (initial, xs, captured) = split(inputs)
        var carry = initial
        var stepOutputs = [[Tensor]?](repeating: nil, count: length)
        for step in 0..<length {
            let t = reverse ? length - 1 - step : step
            let outputs = body(carry + xs.map { $0.index(axis: 0, t) } + captured)
            carry = Array(outputs[..<carryCount])
            stepOutputs[t] = Array(outputs[carryCount...])
        }
        let ys = yTypes.indices.map { output -> Tensor in
            if length == 0 {
                return Tensor.zeros([0] + yTypes[output].shape, dtype: yTypes[output].dtype)
            }
            return stack(stepOutputs.map { $0![output] }, axis: 0)
        }
        return carry + ys
    }

    /// Runs two scans. The first replays the loop and stacks the carry before each step.
    /// The second runs in the opposite direction and pulls the cotangents back through
    /// one step at a time with `vjpFlat`, summing the captured tensors' cotangents in
    /// its carry. Both are `scan` primitives, so grad of grad and vmap of grad work.
    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (initial, xs, captured) = split(inputs)
        let body = self.body
        let carryCount = self.carryCount
        let xCount = self.xCount

        let replay = bindScan(
            { carry, x in (Array(body(carry + x + resolveCaptured(captured))[..<carryCount]), carry) },
            initial: initial, xs: xs, length: length, reverse: reverse, operation: "scan (vjp replay)",
            labels: indexLabels("carry", count: carryCount))
        let carriesBefore = replay.ys

        let finalCarryCotangents = Array(cotangents[..<carryCount])
        let yCotangents = Array(cotangents[carryCount...])
        let backward = bindScan(
            { state, slice in
                let carryCotangent = Array(state[..<carryCount])
                let capturedSums = Array(state[carryCount...])
                let carry = Array(slice[..<carryCount])
                let x = Array(slice[carryCount..<(carryCount + xCount)])
                let yCotangent = Array(slice[(carryCount + xCount)...])

                let (_, pullback) = vjpFlat({ body($0) }, carry + x + resolveCaptured(captured), context: "scan")
                let gradients = pullback(carryCotangent + yCotangent)
                let previousCarryCotangent = Array(gradients[..<carryCount])
                let xCotangent = Array(gradients[carryCount..<(carryCount + xCount)])
                let capturedCotangent = gradients[(carryCount + xCount)...]
                return (previousCarryCotangent + zip(capturedSums, capturedCotangent).map { $0 + $1 }, xCotangent)
            },
            initial: finalCarryCotangents + captured.map { Tensor.zeros(like: $0) },
            xs: carriesBefore + xs + yCotangents, length: length, reverse: !reverse, operation: "scan (vjp)",
            labels: indexLabels("carry cotangent", count: carryCount) + indexLabels("captured cotangent", count: captured.count))

        let gradients = Array(backward.carry[..<carryCount]) + backward.ys + Array(backward.carry[carryCount...])
        return zip(gradients, inputs).map { gradient, input in input.dtype.isFloatingPoint ? gradient : nil }
    }

    /// Runs a scan over the batched body. Every carry gets a batch axis at 0, batched xs
    /// keep their scan axis at 0 with the batch axis at 1, and the stacked ys come out
    /// with the batch axis at 1.
    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let size = Batching.batchSize(inputs, axes: axes)
        let (initial, xs, captured) = split(inputs)
        let (carryAxes, xAxes, capturedAxes) = split(axes)
        let carry = zip(initial, carryAxes).map { Batching.materialize($0, axis: $1, size: size) }
        let movedXs = zip(xs, xAxes).map { x, axis in axis.map { x.movingAxis($0, to: 1) } ?? x }
        let stepAxes = [Int?](repeating: 0, count: carryCount) + xAxes.map { $0 == nil ? nil : 0 } + capturedAxes

        let body = self.body
        let carryCount = self.carryCount
        let result = bindScan(
            { carry, x in
                let outputs = callBatched({ body($0) }, carry + x + resolveCaptured(captured), axes: stepAxes, size: size)
                return (Array(outputs[..<carryCount]), Array(outputs[carryCount...]))
            },
            initial: carry, xs: movedXs, length: length, reverse: reverse, operation: "scan (vmap)",
            labels: indexLabels("batched carry", count: carryCount))
        let outputAxes = [Int?](repeating: 0, count: carryCount) + [Int?](repeating: 1, count: result.ys.count)
        return (result.carry + result.ys, outputAxes)
    }
}
