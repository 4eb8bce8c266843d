/// A step of a plan being compiled, before buffers are assigned.
typealias PendingStep = (
    primitive: any Primitive, inputs: [Int], inputTypes: [TensorType], outputs: [Int], types: [TensorType]
)

/// Groups float32 elementwise steps of one shape, and the sums over all elements of
/// their values or their sums, maxima and minima over each row (the last axis), into
/// single `FusedElementwise` passes.
///
/// Steps are visited in order. An elementwise step joins the group that produced one of
/// its inputs of the group's shape, or else a group that reads one of its inputs of
/// that shape. A full sum or a row reduction joins the group that produced its input,
/// unless the group has a reduction of the other kind.
/// Any other input must be readable in the same pass: of the shape, a scalar, a row
/// along the last axis, a column with one value per row (shape [..., 1]), or a
/// broadcast of a scalar or a column (read as that scalar or column). A float32 select
/// whose condition is a float32 comparison takes the comparison's inputs in place of
/// the condition, so the pass recomputes the comparison. A value of a
/// group may be read by several members. A group is closed to new members once a step
/// outside it reads one of its values. The group can then run where its last member
/// was, because everything its members read exists by then and nothing outside reads
/// its values earlier. Values read outside the group, or returned, are stored, and
/// others stay in scratch blocks.
enum ElementwiseFusion {
    private struct Group {
        var members: [Int] = []
        /// Whether a member sums over all elements, or reduces each row (the last axis).
        /// A pass does one or the other, because sums follow the pairwise tree's blocks
        /// and row reductions need blocks of whole rows.
        var hasFullSum = false
        var hasRowReduction = false
        var shape: [Int]
        var isClosed = false
        /// The slots of the shape that members read from outside the group.
        var inputs: Set<Int> = []
    }

    /// Replaces groups of steps by fused steps. Returns the new steps and the number of
    /// fused steps among them.
    ///
    /// The first attempt lets groups stay open when a comparison that only selects read
    /// takes one of their values, because such a comparison usually goes away with the
    /// selects. When one stays and would then read a value before its pass computes it,
    /// or read a value no pass stores, the steps are grouped again without that freedom.
    static func fuse(_ originalSteps: [PendingStep], outputSlots: [Int]) -> (steps: [PendingStep], fusedStepCount: Int) {
        let attempt = fuse(originalSteps, outputSlots: outputSlots, keepsGroupsOpenForSelectedComparisons: true)
        if readsOnlyComputedValues(attempt.steps, originalSteps, outputSlots) { return attempt }
        let second = fuse(originalSteps, outputSlots: outputSlots, keepsGroupsOpenForSelectedComparisons: false)
        if readsOnlyComputedValues(second.steps, originalSteps, outputSlots) { return second }
        // Should a grouping still read a value that no pass stores, the plan runs
        // unfused: slower, but correct.
        return (originalSteps, 0)
    }

    /// Returns whether every value that a step of `steps` reads, or that is returned, was
    /// written by an earlier step, when a step of `originalSteps` computes it.
    private static func readsOnlyComputedValues(
        _ steps: [PendingStep], _ originalSteps: [PendingStep], _ outputSlots: [Int]
    ) -> Bool {
        let computed = Set(originalSteps.flatMap(\.outputs))
        var written = Set<Int>()
        for step in steps {
            if step.inputs.contains(where: { computed.contains($0) && !written.contains($0) }) { return false }
            written.formUnion(step.outputs)
        }
        return outputSlots.allSatisfy { !computed.contains($0) || written.contains($0) }
    }

    private static func fuse(
        _ originalSteps: [PendingStep], outputSlots: [Int], keepsGroupsOpenForSelectedComparisons: Bool
    ) -> (steps: [PendingStep], fusedStepCount: Int) {
        // A comparison read only by its conversion to float32 joins passes as one
        // float32 step at the conversion's place. A group that absorbs the conversion
        // absorbs the comparison too (`comparisonOf` maps one index to the other).
        var steps = originalSteps
        let comparisonOf = comparisonsConvertedToFloat(steps, outputSlots: outputSlots)
        for (convert, comparison) in comparisonOf {
            let compare = steps[comparison]
            steps[convert] = (compare.primitive, compare.inputs, compare.inputTypes, steps[convert].outputs, steps[convert].types)
        }

        // A select on a comparison reads the comparison's inputs, and the comparison step
        // goes when no step outside a pass reads its condition any more.
        let selectedComparisons = comparisonsSelecting(steps)
        // Comparisons that only selects read, which need not close the groups they read.
        var readCount = [Int: Int]()
        for step in steps { for input in step.inputs { readCount[input, default: 0] += 1 } }
        for output in outputSlots { readCount[output, default: 0] += 1 }
        var selectsOf = [Int: Int]()
        for comparison in selectedComparisons.values { selectsOf[comparison, default: 0] += 1 }
        let openingComparisons = !keepsGroupsOpenForSelectedComparisons ? Set<Int>() : Set(
            selectsOf.filter { readCount[steps[$0.key].outputs[0]] == $0.value }.map(\.key))
        for (select, comparison) in selectedComparisons {
            let compare = steps[comparison]
            let chosen = steps[select]
            let operation = (compare.primitive as! ElementwiseBinary).operation
            steps[select] = (
                ComparisonSelect(comparison: operation), compare.inputs + chosen.inputs.dropFirst(),
                compare.inputTypes + chosen.inputTypes.dropFirst(), chosen.outputs, chosen.types
            )
        }

        // Slots that contain a float32 scalar or column broadcast to a larger shape, and
        // the scalar or column.
        var scalarSource = [Int: Int]()
        var columnSource = [Int: (slot: Int, type: TensorType)]()
        for step in steps where step.primitive is BroadcastTo && step.inputTypes[0].dtype == .float32 {
            let input = step.inputTypes[0]
            if input.size == 1 {
                scalarSource[step.outputs[0]] = step.inputs[0]
            } else if isColumn(input, of: step.types[0].shape) {
                columnSource[step.outputs[0]] = (step.inputs[0], input)
            }
        }

        var groups = [Group]()
        var groupOf = [Int: Int]()  // slot -> the group whose member produced it
        var memberGroup = [Int: Int]()  // step index -> group
        var sumSlots = Set<Int>()  // outputs of fused sums, known only after their pass
        // Slots with one value per row of a group's shape that its pass computes: its row
        // reductions, their reshapes and elementwise functions of them.
        var rowValueGroup = [Int: Int]()

        for (index, step) in steps.enumerated() {
            let joined = groupToJoin(step, groups, groupOf, sumSlots, scalarSource)
                ?? rowMemberGroup(step, groups, rowValueGroup, scalarSource)
            // Reading a group's value from outside closes the group.
            for input in step.inputs where !openingComparisons.contains(index) {
                if let group = groupOf[input], group != joined { groups[group].isClosed = true }
            }
            if let joined {
                groups[joined].members.append(index)
                groups[joined].inputs.formUnion(fullInputs(step, groupOf, joined))
                memberGroup[index] = joined
                for output in step.outputs { groupOf[output] = joined }
                if isFullSum(step) {
                    sumSlots.insert(step.outputs[0])
                    groups[joined].hasFullSum = true
                }
                if isRowReduction(step) {
                    sumSlots.insert(step.outputs[0])
                    groups[joined].hasRowReduction = true
                    rowValueGroup[step.outputs[0]] = joined
                } else if isRowValued(step.types[0], of: groups[joined].shape) {
                    rowValueGroup[step.outputs[0]] = joined
                    // Without its last axis, a row value broadcasts along rows in a step
                    // of the group's shape (`x - s` with x [n, n] and s [n]). Such a step
                    // reads it from a stored tensor, as it reads a row reduction.
                    if !isColumn(step.types[0], of: groups[joined].shape) { sumSlots.insert(step.outputs[0]) }
                }
            } else if isElementwise(step), step.types[0].size > 0, readsInOnePass(step, step.types[0].shape, scalarSource) {
                groups.append(Group(members: [index], shape: step.types[0].shape, inputs: fullInputs(step, groupOf, groups.count)))
                memberGroup[index] = groups.count - 1
                groupOf[step.outputs[0]] = groups.count - 1
            }
        }

        // Slots read by a step outside their group or returned.
        var readOutside = Set(outputSlots)
        for (index, step) in steps.enumerated() where !openingComparisons.contains(index) {
            for input in step.inputs where groupOf[input] != nil && groupOf[input] != memberGroup[index] {
                readOutside.insert(input)
            }
        }

        var fusedAt = [Int: PendingStep]()  // the last member's index -> the fused step
        var absorbed = Set<Int>()
        for group in groups where worthFusing(group, steps) {
            fusedAt[group.members.last!] = fusedStep(group, steps, readOutside, scalarSource, columnSource)
            absorbed.formUnion(group.members)
            absorbed.formUnion(group.members.compactMap { comparisonOf[$0] })
        }

        var result = [PendingStep]()
        for (index, step) in originalSteps.enumerated() {
            if let fused = fusedAt[index] {
                result.append(fused)
            } else if !absorbed.contains(index) {
                result.append(step)
            }
        }
        let broadcastSources = Set(scalarSource.keys).union(columnSource.keys)
        let comparisons = Set(selectedComparisons.values)
        return (removingUnreadSteps(result, outputSlots, broadcastSources, comparisons, originalSteps), fusedAt.count)
    }

    /// Returns a map from each float32 select whose condition a float32 comparison
    /// computes to that comparison (step indices).
    private static func comparisonsSelecting(_ steps: [PendingStep]) -> [Int: Int] {
        var producer = [Int: Int]()  // slot -> the step that writes it
        for (index, step) in steps.enumerated() {
            for output in step.outputs { producer[output] = index }
        }
        var result = [Int: Int]()
        for (index, step) in steps.enumerated() {
            guard step.primitive is Select, step.types[0].dtype == .float32, step.types[0].size > 0,
                step.inputTypes.dropFirst().allSatisfy({ $0.dtype == .float32 }),
                let source = producer[step.inputs[0]],
                let comparison = steps[source].primitive as? ElementwiseBinary, comparison.operation.isComparison,
                steps[source].inputTypes.allSatisfy({ $0.dtype == .float32 })
            else { continue }
            result[index] = source
        }
        return result
    }

    /// Returns whether `type` has one value per row of `shape`: `shape` with its last
    /// extent 1, possibly without leading axes, where that last extent exceeds 1.
    private static func isColumn(_ type: TensorType, of shape: [Int]) -> Bool {
        guard let last = shape.last, last > 1 else { return false }
        return type.size * last == shape.reduce(1, *) && ElementwiseLoops.isColumn(type.shape, of: shape)
    }

    /// Returns whether `type` has one value per row of `shape`: `shape` without its last
    /// axis, or with a last axis of 1, where that last axis is longer than 1.
    private static func isRowValued(_ type: TensorType, of shape: [Int]) -> Bool {
        guard shape.count >= 2 else { return false }
        return type.shape == Array(shape.dropLast()) || isColumn(type, of: shape)
    }

    /// Returns the open group whose pass can compute `step` as one value per row of its
    /// shape, if any. Such a step reads at least one row value of the group and has
    /// one value per row itself. It is a reshape, a `stop_gradient` or a float32
    /// elementwise step. The other operands of an elementwise step are scalars, or
    /// columns (`[..., 1]`) of its output's shape. (A broadcast of a row value stays a
    /// step: passes read the broadcast's column, which must then be stored.)
    private static func rowMemberGroup(
        _ step: PendingStep, _ groups: [Group], _ rowValueGroup: [Int: Int], _ scalarSource: [Int: Int]
    ) -> Int? {
        guard let group = step.inputs.lazy.compactMap({ rowValueGroup[$0] }).first,
            !groups[group].isClosed, !groups[group].hasFullSum, step.outputs.count == 1
        else { return nil }
        let shape = groups[group].shape
        let output = step.types[0]
        if step.primitive is Reshape || step.primitive is StopGradient {
            return isRowValued(output, of: shape) && rowValueGroup[step.inputs[0]] == group ? group : nil
        }
        guard isElementwise(step), isRowValued(output, of: shape) else { return nil }
        let operandsFit = zip(step.inputs, step.inputTypes).allSatisfy { slot, type in
            if type.size == 1 || scalarSource[slot] != nil { return true }
            guard type.shape == output.shape else { return false }
            return rowValueGroup[slot] == group || isColumn(type, of: shape)
        }
        return operandsFit ? group : nil
    }

    /// Returns the open group that `step` can join, if any.
    private static func groupToJoin(
        _ step: PendingStep, _ groups: [Group], _ groupOf: [Int: Int], _ sumSlots: Set<Int>, _ scalarSource: [Int: Int]
    ) -> Int? {
        if isFullSum(step) || isRowReduction(step) {
            guard let group = groupOf[step.inputs[0]], !groups[group].isClosed,
                groups[group].shape == step.inputTypes[0].shape,
                isFullSum(step) ? !groups[group].hasRowReduction : !groups[group].hasFullSum
            else { return nil }
            return group
        }
        guard isElementwise(step) else { return nil }
        let shape = step.types[0].shape
        guard readsInOnePass(step, shape, scalarSource) else { return nil }
        for (input, type) in zip(step.inputs, step.inputTypes) where type.shape == shape {
            guard let group = groupOf[input], !groups[group].isClosed, groups[group].shape == shape else { continue }
            // A sum of the group is not known while its pass runs.
            let readsOwnSum = step.inputs.contains { sumSlots.contains($0) && groupOf[$0] == group }
            if !readsOwnSum { return group }
        }
        // A step that reads none of a group's values may still join a group that reads
        // the same input of the shape, which then passes over that input once.
        for (input, type) in zip(step.inputs, step.inputTypes) where type.shape == shape && groupOf[input] == nil {
            let readsOwnSum = { (group: Int) in step.inputs.contains { sumSlots.contains($0) && groupOf[$0] == group } }
            if let group = groups.indices.last(where: {
                !groups[$0].isClosed && groups[$0].shape == shape && groups[$0].inputs.contains(input) && !readsOwnSum($0)
            }) {
                return group
            }
        }
        return nil
    }

    /// Returns the float32 comparisons whose bool result only a conversion to float32
    /// reads, as a map from the conversion's index to the comparison's.
    private static func comparisonsConvertedToFloat(_ steps: [PendingStep], outputSlots: [Int]) -> [Int: Int] {
        var producer = [Int: Int]()  // slot -> the step that writes it
        var readCount = [Int: Int]()  // slot -> the number of steps that read it
        for (index, step) in steps.enumerated() {
            for output in step.outputs { producer[output] = index }
            for input in step.inputs { readCount[input, default: 0] += 1 }
        }
        for output in outputSlots { readCount[output, default: 0] += 1 }

        var result = [Int: Int]()
        for (index, step) in steps.enumerated() {
            guard let convert = step.primitive as? ConvertElementType, convert.newDType == .float32,
                step.inputTypes[0].dtype == .bool, readCount[step.inputs[0]] == 1,
                let source = producer[step.inputs[0]],
                let comparison = steps[source].primitive as? ElementwiseBinary, comparison.operation.isComparison,
                steps[source].inputTypes.allSatisfy({ $0.dtype == .float32 }),
                steps[source].types[0].shape == step.types[0].shape
            else { continue }
            result[index] = source
        }
        return result
    }

    /// Returns the inputs of `step` of its output's shape that `group` does not produce.
    private static func fullInputs(_ step: PendingStep, _ groupOf: [Int: Int], _ group: Int) -> Set<Int> {
        let shape = step.types[0].shape
        return Set(zip(step.inputs, step.inputTypes).filter { $1.shape == shape && groupOf[$0] != group }.map(\.0))
    }

    private static func isElementwise(_ step: PendingStep) -> Bool {
        if isByteConversion(step) { return true }
        return FusedElementwise.canFuse(step.primitive) && step.types.count == 1 && step.types[0].dtype == .float32
            && step.inputTypes.allSatisfy { $0.dtype == .float32 }
    }

    /// Returns whether `step` converts uint8 values to float32 of the same shape.
    private static func isByteConversion(_ step: PendingStep) -> Bool {
        guard let convert = step.primitive as? ConvertElementType else { return false }
        return convert.newDType == .float32 && step.inputTypes[0].dtype == .uint8
    }

    /// Returns whether `step` is a float32 sum over all axes of a tensor with at least
    /// one axis, which the unfused kernel computes with `Summation.pairwise`.
    private static func isFullSum(_ step: PendingStep) -> Bool {
        guard let reduce = step.primitive as? Reduce, reduce.operation == .sum else { return false }
        let input = step.inputTypes[0]
        return input.dtype == .float32 && !input.shape.isEmpty && Set(reduce.axes) == Set(input.shape.indices)
    }

    /// Returns whether `step` sums, or takes the maximum or minimum of, a float32 tensor
    /// of rank 2 or more over its last axis alone, with rows short enough that a block
    /// of a pass holds whole rows.
    private static func isRowReduction(_ step: PendingStep) -> Bool {
        guard let reduce = step.primitive as? Reduce, [.sum, .max, .min].contains(reduce.operation) else { return false }
        let input = step.inputTypes[0]
        guard input.dtype == .float32, input.shape.count >= 2, reduce.axes == [input.shape.count - 1] else { return false }
        let rowLength = input.shape[input.shape.count - 1]
        return rowLength >= 2 && rowLength <= FusedElementwise.blockSize && input.size > 0
    }

    /// Returns whether every input of `step` has `shape`, is a scalar or a broadcast
    /// scalar, or is a row along the last axis of `shape`.
    private static func readsInOnePass(_ step: PendingStep, _ shape: [Int], _ scalarSource: [Int: Int]) -> Bool {
        let size = shape.reduce(1, *)
        return zip(step.inputs, step.inputTypes).allSatisfy { slot, type in
            if type.size == size && type.shape == shape || type.size == 1 || scalarSource[slot] != nil { return true }
            if isColumn(type, of: shape) { return true }
            let row = Array(type.shape.drop { $0 == 1 })
            return row.count == 1 && row[0] == shape.last && type.shape.count <= shape.count
        }
    }

    /// Returns whether `group` is worth a fused step, which is when it replaces at least
    /// two steps.
    private static func worthFusing(_ group: Group, _ steps: [PendingStep]) -> Bool {
        group.members.count >= 2
    }

    private static func fusedStep(
        _ group: Group, _ steps: [PendingStep], _ readOutside: Set<Int>, _ scalarSource: [Int: Int],
        _ columnSource: [Int: (slot: Int, type: TensorType)]
    ) -> PendingStep {
        var instructions = [FusedElementwise.Instruction]()
        var resultOf = [Int: Int]()  // slot -> instruction
        var inputs = [Int]()
        var inputTypes = [TensorType]()
        var results = [FusedElementwise.Output]()
        var outputs = [Int]()
        var types = [TensorType]()

        // Members that pass a row value on unchanged (reshapes, `stop_gradient`), by
        // output slot, and row reductions whose values no instruction has read yet.
        var aliasOf = [Int: Int]()
        // Whether each instruction has one value per row of the group's shape.
        var rowValued = [Bool]()
        var pendingRowReduction = [Int: (operand: FusedElementwise.Operand, isMaximum: Bool?)]()

        func operand(_ slot: Int, _ type: TensorType) -> FusedElementwise.Operand {
            if let source = aliasOf[slot] { return operand(source, type) }
            if let instruction = resultOf[slot] { return .result(instruction) }
            if let reduction = pendingRowReduction[slot] {
                instructions.append(.rowReduction(reduction.operand, isMaximum: reduction.isMaximum))
                rowValued.append(true)
                resultOf[slot] = instructions.count - 1
                return .result(instructions.count - 1)
            }
            var slot = slot
            var type = type
            if let source = scalarSource[slot] {
                slot = source
                type = TensorType(shape: [], dtype: .float32)
            } else if let source = columnSource[slot], type.shape == group.shape {
                (slot, type) = source
            }
            // A broadcast of a value that this pass computes reads that value.
            if aliasOf[slot] != nil || resultOf[slot] != nil || pendingRowReduction[slot] != nil {
                return operand(slot, type)
            }
            if let existing = inputs.firstIndex(of: slot) { return .input(existing) }
            inputs.append(slot)
            inputTypes.append(type)
            return .input(inputs.count - 1)
        }

        // Stores the value of `slot`, which instruction `instruction` holds, when a step
        // outside the group reads it or the plan returns it.
        func storeIfReadOutside(_ slot: Int, _ type: TensorType, _ instruction: Int) {
            guard readOutside.contains(slot) else { return }
            results.append(type.size == group.shape.reduce(1, *) ? .store(instruction) : .rowStore(instruction))
            outputs.append(slot)
            types.append(type)
        }

        for member in group.members {
            let step = steps[member]
            if step.primitive is Reshape || step.primitive is StopGradient {
                aliasOf[step.outputs[0]] = step.inputs[0]
                if readOutside.contains(step.outputs[0]), case .result(let instruction) = operand(step.outputs[0], step.types[0]) {
                    storeIfReadOutside(step.outputs[0], step.types[0], instruction)
                }
                continue
            }
            let operands = zip(step.inputs, step.inputTypes).map { operand($0, $1) }
            let isRowMember = isRowValued(step.types[0], of: group.shape)
            if let reduce = step.primitive as? Reduce {
                guard case .result(let instruction) = operands[0] else {
                    preconditionFailure("fused_elementwise: a fused reduction must read a value of its group")
                }
                let isMaximum: Bool? = reduce.operation == .sum ? nil : reduce.operation == .max
                if isRowReduction(step) {
                    pendingRowReduction[step.outputs[0]] = (.result(instruction), isMaximum)
                    // Row reductions that only later members read need no output.
                    guard readOutside.contains(step.outputs[0]) else { continue }
                }
                if !isRowReduction(step) {
                    results.append(.sum(instruction))
                } else if let isMaximum {
                    results.append(.rowExtremum(instruction, isMaximum: isMaximum))
                } else {
                    results.append(.rowSum(instruction))
                }
                outputs.append(step.outputs[0])
                types.append(step.types[0])
                continue
            }
            if isByteConversion(step) {
                guard case .input(let index) = operands[0] else {
                    preconditionFailure("fused_elementwise: a converted uint8 value must be an input of the pass")
                }
                instructions.append(.convertBytes(index))
            } else if let select = step.primitive as? ComparisonSelect {
                instructions.append(.binary(select.comparison, operands[0], operands[1]))
                let mask = FusedElementwise.Operand.result(instructions.count - 1)
                instructions.append(.select(mask: mask, onTrue: operands[2], onFalse: operands[3]))
            } else if let unary = step.primitive as? ElementwiseUnary {
                instructions.append(.unary(unary.operation, operands[0]))
            } else if let binary = step.primitive as? ElementwiseBinary {
                instructions.append(.binary(binary.operation, operands[0], operands[1]))
            }
            rowValued += [Bool](repeating: isRowMember, count: instructions.count - rowValued.count)
            resultOf[step.outputs[0]] = instructions.count - 1
            storeIfReadOutside(step.outputs[0], step.types[0], instructions.count - 1)
        }
        if group.shape.reduce(1, *) > 1 {
            let scalarInputs = Set(inputTypes.indices.filter { inputTypes[$0].size == 1 })
            (instructions, results) = FusedElementwise.simplified(
                instructions, results, scalarInputs: scalarInputs, rowValued: rowValued)
        }
        let fused = FusedElementwise(
            instructions: instructions, shape: group.shape, results: results, resultTypes: types, rowValued: rowValued)
        return (fused, inputs, inputTypes, outputs, types)
    }

    /// Drops the broadcasts of scalars and columns that fused steps now read directly, and
    /// the comparisons whose conditions fused selects now recompute, when no step reads
    /// their values any more and they are not returned. A dropped comparison may make a
    /// broadcast that it read unread as well, so broadcasts are checked after comparisons.
    private static func removingUnreadSteps(
        _ steps: [PendingStep], _ outputSlots: [Int], _ broadcastSlots: Set<Int>, _ comparisons: Set<Int>,
        _ originalSteps: [PendingStep]
    ) -> [PendingStep] {
        let comparisonSlots = Set(comparisons.map { originalSteps[$0].outputs[0] })
        func unread(_ candidates: Set<Int>, _ steps: [PendingStep]) -> Set<Int> {
            var read = Set(outputSlots)
            for step in steps { read.formUnion(step.inputs) }
            return candidates.subtracting(read)
        }

        let deadComparisons = unread(comparisonSlots, steps)
        let remaining = steps.filter { !deadComparisons.contains($0.outputs.first ?? -1) || !($0.primitive is ElementwiseBinary) }
        let deadBroadcasts = unread(broadcastSlots, remaining)
        return remaining.filter { !($0.primitive is BroadcastTo && deadBroadcasts.contains($0.outputs[0])) }
    }
}
