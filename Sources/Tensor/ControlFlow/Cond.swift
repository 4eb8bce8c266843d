/// Applies `trueBranch` to `operands` when the scalar `predicate` is true and
/// `falseBranch` otherwise (`jax.lax.cond`), as one primitive that transformations
/// keep instead of tracing a Swift `if`.
///
/// Both branches are traced on shape-only placeholders first and must return trees of
/// the same structure, shapes and dtypes; only the selected branch then runs. A
/// non-bool predicate counts as true when it is nonzero. Under `grad` only the selected
/// branch is differentiated; under `vmap` with a batched predicate both branches run
/// and `select` picks each example's result.
///
/// ```swift
/// let y = cond(x.sum() .> 0, { x in x * 2 }, { x in -x }, x)
/// ```
///
/// Stops when the predicate is not a scalar or the branches disagree, naming the path
/// of the first differing leaf.
public func cond<Operands: Tree, Output: Tree>(
    _ predicate: Tensor, _ trueBranch: @escaping (Operands) -> Output, _ falseBranch: @escaping (Operands) -> Output,
    _ operands: Operands
) -> Output {
    treeSwitch(conditionIndex(predicate, operation: "cond"), [falseBranch, trueBranch], operands, operation: "cond")
}

/// Applies `branches[index]` to `operands` (`jax.lax.switch`). The index is a scalar
/// integer tensor, clamped to `0..<branches.count` as JAX does.
///
/// The branches must return trees of the same structure, shapes and dtypes. Under
/// `vmap` with a batched index every branch runs and `select` picks the results.
public func switchCase<Operands: Tree, Output: Tree>(
    _ index: Tensor, _ branches: [(Operands) -> Output], _ operands: Operands
) -> Output {
    treeSwitch(switchIndex(index, operation: "switchCase"), branches, operands, operation: "switchCase")
}

/// `cond` on flat lists of tensors.
public func condFlat(
    _ predicate: Tensor, _ trueBranch: @escaping ([Tensor]) -> [Tensor], _ falseBranch: @escaping ([Tensor]) -> [Tensor],
    operands: [Tensor]
) -> [Tensor] {
    flatSwitch(conditionIndex(predicate, operation: "cond"), [falseBranch, trueBranch], operands, operation: "cond")
}

/// `switchCase` on flat lists of tensors.
public func switchCaseFlat(
    _ index: Tensor, _ branches: [([Tensor]) -> [Tensor]], operands: [Tensor]
) -> [Tensor] {
    flatSwitch(switchIndex(index, operation: "switchCase"), branches, operands, operation: "switchCase")
}

/// The int32 branch index of a `cond`: 1 where the predicate holds, else 0.
private func conditionIndex(_ predicate: Tensor, operation: String) -> Tensor {
    precondition(
        predicate.rank == 0,
        "\(operation): the predicate must be a scalar, but it has shape \(formatShape(predicate.shape)); "
            + "reduce it (for example with any() or all()), or use select for an elementwise choice")
    let truth = predicate.dtype == .bool ? predicate : predicate .!= 0
    return truth.astype(.int32)
}

/// The branch index of a `switchCase` as int32.
private func switchIndex(_ index: Tensor, operation: String) -> Tensor {
    precondition(
        index.rank == 0 && index.dtype.isInteger,
        "\(operation): the index must be an integer scalar, but it is \(index.type)")
    return index.astype(.int32)
}

private func flatSwitch(
    _ index: Tensor, _ branches: [([Tensor]) -> [Tensor]], _ operands: [Tensor], operation: String
) -> [Tensor] {
    let closed = closeBranches(branches, operandTypes: operands.map(\.type), operation: operation)
    checkBranchTypes(closed, labels: indexLabels("output", count: closed[0].outputTypes.count), operation: operation)
    return bindSwitch(index, closed, operands)
}

private func treeSwitch<Operands: Tree, Output: Tree>(
    _ index: Tensor, _ branches: [(Operands) -> Output], _ operands: Operands, operation: String
) -> Output {
    let (leaves, operandDefinition) = treeFlatten(operands)
    let outputs = branches.map { _ in ValueBox<Output>() }
    let flatBranches = zip(branches, outputs).map { branch, output in
        { (wrapped: [Tensor]) -> [Tensor] in
            let result = branch(treeUnflatten(operandDefinition, wrapped))
            output.value = result
            return treeLeaves(result)
        }
    }
    let closed = closeBranches(flatBranches, operandTypes: leaves.map(\.type), operation: operation)

    let first = outputs[0].value!
    for (number, output) in outputs.enumerated().dropFirst() {
        if let difference = treeStructureDifference(first, output.value!) {
            preconditionFailure(
                "\(operation): branch \(number) returns a tree of another structure than branch 0 \(difference); "
                    + "all branches must return the same structure")
        }
    }
    checkBranchTypes(closed, labels: leafLabels(first, root: "the output"), operation: operation)

    let (_, outputDefinition) = treeFlatten(first)
    return treeUnflatten(outputDefinition, bindSwitch(index, closed, leaves))
}

private func closeBranches(
    _ branches: [([Tensor]) -> [Tensor]], operandTypes: [TensorType], operation: String
) -> [ClosedBody] {
    precondition(!branches.isEmpty, "\(operation): needs at least one branch")
    return branches.enumerated().map { number, branch in
        closeBody(branch, inputTypes: operandTypes, name: "\(operation) branch \(number)")
    }
}

/// Stops unless every branch returns the types of branch 0.
private func checkBranchTypes(_ branches: [ClosedBody], labels: [String], operation: String) {
    for (number, branch) in branches.enumerated().dropFirst() {
        checkTypes(
            branch.outputTypes, expected: branches[0].outputTypes, labels: labels, operation: operation,
            problem: "branch \(number) returns another type than branch 0",
            advice: "All branches must return the same shapes and dtypes.")
    }
}

/// Binds the switch primitive on the index, the operands and every branch's captures.
func bindSwitch(_ index: Tensor, _ branches: [ClosedBody], _ operands: [Tensor]) -> [Tensor] {
    if branches.count == 1 {
        return branches[0](operands + branches[0].captured)
    }
    let primitive = Switch(branches: branches, operandCount: operands.count)
    return bind(primitive, [index] + operands + branches.flatMap(\.captured))
}

/// The primitive behind `cond` and `switchCase` (JAX's `cond`): runs the branch that
/// the int32 index selects, after clamping it into range.
///
/// Inputs: the index, the operands, then each branch's captured tensors in branch order.
struct Switch: CallsHostClosures {
    let branches: [ClosedBody]
    let operandCount: Int

    var name: String { "cond" }

    var parameterDescription: String { "branches=\(branches.count)" }

    /// The index range of branch `number`'s captured tensors among the inputs.
    private func capturedRange(_ number: Int) -> Range<Int> {
        let start = 1 + operandCount + branches[..<number].map(\.captured.count).reduce(0, +)
        return start..<(start + branches[number].captured.count)
    }

    /// The operands and branch `number`'s captured values, taken from the inputs.
    private func branchInputs(_ number: Int, _ inputs: [Tensor]) -> [Tensor] {
        Array(inputs[1...operandCount]) + Array(inputs[capturedRange(number)])
    }

    private func branchAxes(_ number: Int, _ axes: [Int?]) -> [Int?] {
        Array(axes[1...operandCount]) + Array(axes[capturedRange(number)])
    }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        precondition(
            inputs[0].shape == [] && inputs[0].dtype == .int32,
            "cond: the branch index must be an int32 scalar, got \(inputs[0])")
        let expected = Array(branches[0].inputTypes) + branches.flatMap { $0.captured.map(\.type) }
        checkTypes(
            Array(inputs.dropFirst()), expected: expected,
            labels: indexLabels("operand", count: expected.count), operation: "cond",
            problem: "the inputs differ from the types the branches were traced with", advice: "")
        return branches[0].outputTypes
    }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let requested = Int(inputs[0].item(as: Int32.self))
        let number = Swift.min(Swift.max(requested, 0), branches.count - 1)
        return branches[number](branchInputs(number, inputs))
    }

    /// A switch over the same index whose branch `i` pulls the cotangents back through
    /// branch `i`, returning zeros for the captures of the other branches. Written as a
    /// switch of `vjpFlat` calls, so it can be differentiated and batched again.
    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let valueCount = inputs.count - 1
        let backwardBranches = branches.indices.map { number in
            { (arguments: [Tensor]) -> [Tensor] in
                let values = Array(arguments[..<valueCount])
                let outputCotangents = Array(arguments[valueCount...])
                let own = self.branchInputs(number, [inputs[0]] + values)
                let (_, pullback) = vjpFlat({ self.branches[number]($0) }, own, context: "cond")
                let gradients = pullback(outputCotangents)

                var result = Array(gradients[..<self.operandCount])
                for other in self.branches.indices {
                    let range = self.capturedRange(other)
                    if other == number {
                        result += gradients[self.operandCount...]
                    } else {
                        result += values[(range.lowerBound - 1)..<(range.upperBound - 1)].map { Tensor.zeros(like: $0) }
                    }
                }
                return result
            }
        }
        let valueTypes = inputs.dropFirst().map(\.type)
        let closed = backwardBranches.enumerated().map { number, branch in
            closeBody(branch, inputTypes: valueTypes + cotangents.map(\.type), name: "the vjp of cond branch \(number)")
        }
        let gradients = bindSwitch(inputs[0], closed, Array(inputs.dropFirst()) + cotangents)
        return [nil] + zip(gradients, inputs.dropFirst()).map { gradient, input in
            input.dtype.isFloatingPoint ? gradient : nil
        }
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        let size = Batching.batchSize(inputs, axes: axes)
        let outputAxes = [Int?](repeating: 0, count: branches[0].outputTypes.count)

        guard let indexAxis = axes[0] else {
            // One index for all examples: a switch over batched branches.
            let values = Array(inputs.dropFirst())
            let batchedBranches = branches.indices.map { number in
                { (arguments: [Tensor]) -> [Tensor] in
                    let own = self.branchInputs(number, [inputs[0]] + arguments)
                    return callBatched({ self.branches[number]($0) }, own, axes: self.branchAxes(number, axes), size: size)
                }
            }
            let closed = batchedBranches.enumerated().map { number, branch in
                closeBody(branch, inputTypes: values.map(\.type), name: "the batched cond branch \(number)")
            }
            return (bindSwitch(inputs[0], closed, values), outputAxes)
        }

        // One index per example: run every branch and select each example's result.
        let index = clip(Batching.moveAxisToFront(inputs[0], from: indexAxis), min: 0, max: branches.count - 1)
        let results = branches.indices.map { number in
            callBatched({ self.branches[number]($0) }, branchInputs(number, inputs), axes: branchAxes(number, axes), size: size)
        }
        var selected = results[branches.count - 1]
        for number in stride(from: branches.count - 2, through: 0, by: -1) {
            let chosen = index .== number
            selected = zip(results[number], selected).map { candidate, current in
                let mask = chosen.reshaped([size] + [Int](repeating: 1, count: candidate.rank - 1))
                return select(mask, candidate, current)
            }
        }
        return (selected, outputAxes)
    }
}
