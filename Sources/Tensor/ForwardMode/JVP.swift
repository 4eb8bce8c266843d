// Forward mode built from reverse mode.
//
// Primitives have no forward (jvp) rule. The pullback of `f` at `x` maps a cotangent
// `u` to `Jᵀ u`, which is linear in `u`, and every vjp rule is written with `Tensor`
// operations, so the pullback can itself be differentiated in reverse mode. The
// pullback of the pullback, taken at any cotangent, maps a tangent `t` to `(Jᵀ)ᵀ t =
// J t`. This works for every primitive that has a vjp rule and nests with `grad`,
// `vmap` and itself, because it uses nothing but those two transformations.

/// A function linearized at a point: its outputs and the map from input tangents to
/// output tangents.
struct LinearizedFunction {
    /// The outputs of the function at the point.
    let outputs: [Tensor]

    /// Maps tangents of the primals (one per primal, same shapes and dtypes) to
    /// tangents of the outputs, without checking them.
    let pushforward: ([Tensor]) -> [Tensor]
}

/// Linearizes `function` at `primals` by differentiating its pullback.
///
/// Runs `function` forward once and its pullback once, both recorded on tapes. Each
/// call of the returned pushforward replays the pullback's tape backwards, which is
/// one reverse pass and no new forward pass.
///
/// Only float32 primals are differentiated. The others (indices, masks) enter
/// `function` as constants, so their tangents are ignored. Outputs that are not
/// float32 get zero tangents of their own dtype.
func linearizeFlat(
    _ function: ([Tensor]) -> [Tensor], _ primals: [Tensor], operation: String
) -> LinearizedFunction {
    let differentiated = primals.indices.filter { primals[$0].dtype.isFloatingPoint }
    let (outputs, pullback) = vjpFlat({ leaves in
        var inputs = primals
        for (position, index) in differentiated.enumerated() {
            inputs[index] = leaves[position]
        }
        return function(inputs)
    }, differentiated.map { primals[$0] }, context: operation)

    // Integer outputs take no cotangent, so the pullback is differentiated with
    // respect to the cotangents of the float32 outputs only.
    let floatOutputs = outputs.indices.filter { outputs[$0].dtype.isFloatingPoint }
    let cotangentPoint = floatOutputs.map { Tensor.zeros(like: outputs[$0]) }
    let pullbackOfFloatOutputs: ([Tensor]) -> [Tensor] = { floatCotangents in
        var cotangents = outputs.map { Tensor.zeros(like: $0) }
        for (position, index) in floatOutputs.enumerated() {
            cotangents[index] = floatCotangents[position]
        }
        return pullback(cotangents)
    }
    // The pullback is linear, so the point where it is differentiated does not
    // change its derivative, and zeros serve as that point.
    let (_, transposedPullback) = vjpFlat(pullbackOfFloatOutputs, cotangentPoint, context: operation)

    let pushforward: ([Tensor]) -> [Tensor] = { tangents in
        var outputTangents = outputs.map { Tensor.zeros(like: $0) }
        guard !floatOutputs.isEmpty else { return outputTangents }
        let floatTangents = transposedPullback(differentiated.map { tangents[$0] })
        for (position, index) in floatOutputs.enumerated() {
            outputTangents[index] = floatTangents[position]
        }
        return outputTangents
    }
    return LinearizedFunction(outputs: outputs, pushforward: pushforward)
}

/// Stops unless `tangent` has the shape and dtype of `primal`, naming it with `label`
/// (such as `tangent 1` or `the tangent at 'params/w'`).
func checkTangent(_ tangent: Tensor, matches primal: Tensor, label: String, operation: String) {
    precondition(
        tangent.shape == primal.shape,
        "\(operation): \(label) has shape \(formatShape(tangent.shape)) but its primal has shape \(formatShape(primal.shape))")
    precondition(
        tangent.dtype == primal.dtype,
        "\(operation): \(label) has dtype \(tangent.dtype) but its primal has dtype \(primal.dtype); cast it with astype(.\(primal.dtype))")
}

/// Stops unless `tangents` has one tensor per primal with the primal's shape and dtype.
func checkFlatTangents(_ tangents: [Tensor], _ primals: [Tensor], operation: String) {
    precondition(
        tangents.count == primals.count,
        "\(operation): \(tangents.count) tangents for \(primals.count) primals; pass one tangent per primal")
    for (index, (tangent, primal)) in zip(tangents, primals).enumerated() {
        checkTangent(tangent, matches: primal, label: "tangent \(index)", operation: operation)
    }
}

/// Stops unless `tangents` has the tree structure of `primals` and each leaf has the
/// shape and dtype of the matching primal leaf, naming the first path that differs.
func checkTreeTangents<Input: Tree>(_ tangents: Input, _ primals: Input, operation: String) {
    if let difference = treeStructureDifference(primals, tangents) {
        preconditionFailure("\(operation): the tangents differ in structure from the primals \(difference)")
    }
    for ((path, primal), tangent) in zip(treeLeavesWithPaths(primals), treeLeaves(tangents)) {
        let label = path.isEmpty ? "the tangent" : "the tangent at '\(path)'"
        checkTangent(tangent, matches: primal, label: label, operation: operation)
    }
}

/// Differentiates a function of flat tensor lists in forward mode (`jax.jvp`).
///
/// Returns the outputs of `function` at `primals` and the Jacobian-vector product `J t`
/// for `t = tangents`: one output tangent per output, with the output's shape and dtype.
/// Tangents of integer and boolean primals must have the primal's dtype and are
/// ignored (JAX uses `float0` tangents for them). Integer and boolean outputs get
/// zero tangents of their own dtype. A `customVJP` function is differentiated through
/// its backward rule, so its tangent is that rule transposed, where JAX rejects forward
/// mode on `custom_vjp` functions.
///
/// The product is computed as the pullback of the pullback, so it costs one forward
/// pass and about two reverse passes, and keeps both tapes in memory while it runs.
/// Counting passes, that is about the cost of two `grad` calls (an estimate, not a
/// measurement), where dedicated forward-mode rules would cost about one forward pass.
///
/// Stops when the number of tangents differs from the number of primals, or when a
/// tangent's shape or dtype differs from its primal's, naming the tangent's index and
/// both shapes or dtypes.
public func jvpFlat(
    _ function: ([Tensor]) -> [Tensor], primals: [Tensor], tangents: [Tensor]
) -> (outputs: [Tensor], tangents: [Tensor]) {
    checkFlatTangents(tangents, primals, operation: "jvp")
    let linearized = linearizeFlat(function, primals, operation: "jvp")
    return (linearized.outputs, linearized.pushforward(tangents))
}

/// Differentiates a function between trees in forward mode (`jax.jvp`), returning the
/// output of `function` at `primals` and the output tangent `J t` for `t = tangents`.
///
/// `tangents` must have the structure of `primals`, and each leaf the shape and dtype
/// of the matching primal leaf. The output tangent has the output's structure. To
/// differentiate several arguments at once, pass them as one tree (an array or a
/// dictionary). Integer leaves are handled as in `jvpFlat`, and the cost is the same:
/// one forward pass and about two reverse passes.
///
/// Stops when the tangents differ from the primals in structure, naming the first
/// differing path, or when a leaf differs in shape or dtype, naming its path and both
/// shapes or dtypes.
public func jvp<Input: Tree, Output: Tree>(
    _ function: (Input) -> Output, _ primals: Input, _ tangents: Input
) -> (output: Output, tangent: Output) {
    checkTreeTangents(tangents, primals, operation: "jvp")
    let (leaves, inputDefinition) = treeFlatten(primals)
    var outputDefinition: TreeDefinition<Output>?
    let linearized = linearizeFlat({ wrapped in
        let (outputLeaves, definition) = treeFlatten(function(treeUnflatten(inputDefinition, wrapped)))
        outputDefinition = definition
        return outputLeaves
    }, leaves, operation: "jvp")
    let output = treeUnflatten(outputDefinition!, linearized.outputs)
    let tangent = treeUnflatten(outputDefinition!, linearized.pushforward(treeLeaves(tangents)))
    return (output, tangent)
}

/// Linearizes `function` at `primal` (`jax.linearize`), returning the output and a
/// function that maps an input tangent `t` (same structure, shapes and dtypes as
/// `primal`) to the output tangent `J t` (same structure as the output).
///
/// `function` runs once, here. Each call of the returned function replays the recorded
/// pullback backwards, which costs about one reverse pass and never runs `function`
/// again, so linearizing pays off when many tangents are pushed through one point.
/// The recorded tapes stay in memory as long as the returned function does.
///
/// The returned function stops when a tangent differs from `primal` in structure,
/// shape or dtype, naming the path and both shapes or dtypes.
public func linearize<Input: Tree, Output: Tree>(
    _ function: (Input) -> Output, _ primal: Input
) -> (output: Output, jvp: (Input) -> Output) {
    let (leaves, inputDefinition) = treeFlatten(primal)
    var outputDefinition: TreeDefinition<Output>?
    let linearized = linearizeFlat({ wrapped in
        let (outputLeaves, definition) = treeFlatten(function(treeUnflatten(inputDefinition, wrapped)))
        outputDefinition = definition
        return outputLeaves
    }, leaves, operation: "linearize")
    let definition = outputDefinition!
    let output = treeUnflatten(definition, linearized.outputs)
    return (output, { tangent in
        checkTreeTangents(tangent, primal, operation: "linearize")
        return treeUnflatten(definition, linearized.pushforward(treeLeaves(tangent)))
    })
}
