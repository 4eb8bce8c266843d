import Synchronization

/// A compiled graph: the kernels of a jaxpr as an ordered list of steps over numbered
/// value slots, run on concrete tensors without tracing.
///
/// Compiling removes the equations that no output depends on (dead code). It evaluates
/// once, at compile time, every equation whose inputs are all constants (constant
/// folding), and their results become preset slots. Destination-passing kernels write
/// into buffers assigned at compile time (`BufferPlan`): intermediate values share
/// buffers that the plan keeps between calls. A warm call allocates the buffers of its
/// outputs (none for outputs that reuse donated inputs) and whatever the other kernels
/// allocate themselves. Each slot is cleared after its last use, so values that kernels
/// allocated themselves are freed early.
struct ExecutionPlan: @unchecked Sendable {
    /// One kernel call: reads `inputs`, writes `outputs`, then clears `releasedSlots`
    /// (the slots that no later step or output reads).
    ///
    /// A class, so that the loop of `run` takes each step with one reference count
    /// instead of copying its arrays and its primitive (about 30 ns per step here).
    final class Step {
        let primitive: any Primitive
        let inputs: [Int]
        let inputTypes: [TensorType]
        let outputs: [Int]
        let outputTypes: [TensorType]
        let releasedSlots: [Int]
        /// The primitive, when it can write into buffers that the plan assigns.
        let destinationKernel: (any DestinationPassingPrimitive)?
        /// The buffers of `outputs` when `destinationKernel` writes into assigned buffers,
        /// set once the plan's buffers are assigned.
        fileprivate(set) var destinationBuffers: [Int]?

        init(
            primitive: any Primitive, inputs: [Int], inputTypes: [TensorType], outputs: [Int],
            outputTypes: [TensorType], releasedSlots: [Int]
        ) {
            self.primitive = primitive
            self.inputs = inputs
            self.inputTypes = inputTypes
            self.outputs = outputs
            self.outputTypes = outputTypes
            self.releasedSlots = releasedSlots
            self.destinationKernel = primitive as? any DestinationPassingPrimitive
        }
    }

    let slotCount: Int
    let inputSlots: [Int]
    let presetSlots: [(slot: Int, value: Tensor)]
    let steps: [Step]
    let outputSlots: [Int]
    let bufferPlan: BufferPlan
    /// The byte count of each buffer of `bufferPlan`.
    private let bufferByteCounts: [Int]
    /// The input positions with a donated buffer, and the storages of the preset slots,
    /// which a donated input must not share to be written.
    private let donatedPositions: [Int]
    /// The largest input and output counts of a step.
    private let maximumStepInputs: Int
    private let maximumStepOutputs: Int
    private let presetStorages: Set<ObjectIdentifier>
    private let workspaces = PlanWorkspaces()
    private let threadMode = ThreadModeChooser()

    /// The number of equations removed as dead code and folded as constants.
    let removedEquationCount: Int
    let foldedEquationCount: Int
    /// The number of steps that each run a chain of elementwise operations in one pass.
    let fusedStepCount: Int

    /// Compiles `jaxpr`, whose constants must all be concrete. The storages of the
    /// input leaves at positions `donatedInputs` may be overwritten by `run`.
    /// Chains of elementwise steps become single passes unless `fusesElementwise` is false.
    init(_ jaxpr: Jaxpr, donatedInputs: Set<Int> = [], fusesElementwise: Bool = true) {
        precondition(jaxpr.hasOnlyConcreteConstants, "jit: cannot compile a graph whose constants are tracers")
        let live = Self.liveEquations(jaxpr)

        var slotOf = [Int: Int]()
        var slotCount = 0
        func newSlot(_ variable: JaxprVariable) -> Int {
            slotOf[variable.id] = slotCount
            slotCount += 1
            return slotCount - 1
        }

        // Known values: constants, literals and folded results, by slot.
        var known = [Int: Tensor]()
        for (variable, value) in zip(jaxpr.constantVariables, jaxpr.constants) {
            known[newSlot(variable)] = value
        }
        let inputSlots = jaxpr.inputVariables.map(newSlot)

        // Equal scalar literals share one slot, so that steps reading them compare equal
        // (for common subexpressions and merged Adam steps).
        var literalSlots = [ScalarLiteral: Int]()
        func slot(for atom: JaxprAtom) -> Int {
            switch atom {
            case .variable(let variable):
                return slotOf[variable.id]!
            case .literal(let value):
                let key = value.size == 1 && value.isConcrete ? ScalarLiteral(value) : nil
                if let key, let existing = literalSlots[key] { return existing }
                known[slotCount] = value
                slotCount += 1
                if let key { literalSlots[key] = slotCount - 1 }
                return slotCount - 1
            }
        }

        var pending = [PendingStep]()
        var folded = 0
        for (index, equation) in jaxpr.equations.enumerated() where live[index] {
            let inputs = equation.inputs.map(slot)
            let outputs = equation.outputs.map(newSlot)
            let types = equation.outputs.map(\.type)
            // A broadcast of a constant stays a step, so a fused pass can read the
            // small constant instead of a folded tensor of the full size.
            let expands = equation.primitive is BroadcastTo && types[0].size > equation.inputs[0].type.size
            if inputs.allSatisfy({ known[$0] != nil }) && !expands {
                // Folded like every other evaluation, with subnormals flushed.
                let results = withSubnormalsFlushed {
                    equation.primitive.evaluate(inputs.map { known[$0]! }, types: types)
                }
                for (output, result) in zip(outputs, results) { known[output] = result }
                folded += 1
            } else {
                // Loops and branches run their bodies as compiled sub-plans (CompiledLoops.swift).
                pending.append(
                    (compilingControlFlow(equation.primitive), inputs, equation.inputs.map(\.type), outputs, types))
            }
        }
        var outputSlots = jaxpr.outputs.map(slot)
        (pending, outputSlots) = CommonSubexpressions.eliminate(pending, outputSlots: outputSlots)
        var fusedStepCount = 0
        if fusesElementwise {
            pending = AdamStepFusion.fuse(pending, outputSlots: outputSlots)
            (pending, fusedStepCount) = ElementwiseFusion.fuse(pending, outputSlots: outputSlots)
            pending = HelperCopies.add(pending, slotCount: &slotCount)
        }

        // The last step that reads each slot. Outputs count as read after every step.
        var lastReader = [Int: Int]()
        for (index, step) in pending.enumerated() {
            for input in step.inputs { lastReader[input] = index }
        }
        for output in outputSlots { lastReader[output] = pending.count }
        var released = [[Int]](repeating: [], count: pending.count)
        for (slot, reader) in lastReader where reader < pending.count && !inputSlots.contains(slot) {
            released[reader].append(slot)
        }

        // Only the known values that a step or an output reads need to be preset.
        self.presetSlots = known.filter { lastReader[$0.key] != nil }.map { (slot: $0.key, value: $0.value) }
        self.steps = pending.enumerated().map { index, step in
            Step(
                primitive: step.primitive, inputs: step.inputs, inputTypes: step.inputTypes, outputs: step.outputs,
                outputTypes: step.types, releasedSlots: released[index].sorted())
        }
        self.bufferPlan = BufferPlan(
            steps: steps, inputSlots: inputSlots, inputTypes: jaxpr.inputVariables.map(\.type),
            outputSlots: outputSlots, slotCount: slotCount, donatedInputs: donatedInputs)
        for (step, buffers) in zip(steps, bufferPlan.destinations) where step.destinationKernel != nil {
            step.destinationBuffers = buffers
        }
        self.bufferByteCounts = bufferPlan.buffers.map(\.byteCount)
        self.donatedPositions = bufferPlan.buffers.compactMap { buffer -> Int? in
            if case .donated(let position) = buffer.kind { return position }
            return nil
        }
        self.maximumStepInputs = steps.map(\.inputs.count).max() ?? 0
        self.maximumStepOutputs = steps.map(\.outputs.count).max() ?? 0
        self.presetStorages = Set(presetSlots.compactMap { $0.value.storage.map(ObjectIdentifier.init) })
        self.slotCount = slotCount
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        self.removedEquationCount = live.filter { !$0 }.count
        self.foldedEquationCount = folded
        self.fusedStepCount = fusedStepCount
    }

    /// Marks the equations that some output depends on, walking the graph backwards.
    private static func liveEquations(_ jaxpr: Jaxpr) -> [Bool] {
        var needed = Set<Int>()
        for case .variable(let variable) in jaxpr.outputs { needed.insert(variable.id) }
        var live = [Bool](repeating: false, count: jaxpr.equations.count)
        for index in jaxpr.equations.indices.reversed() {
            let equation = jaxpr.equations[index]
            guard equation.outputs.contains(where: { needed.contains($0.id) }) else { continue }
            live[index] = true
            for case .variable(let variable) in equation.inputs { needed.insert(variable.id) }
        }
        return live
    }

    /// Runs the steps on concrete `inputs` of the traced types, with subnormals flushed
    /// to zero as every evaluated primitive is.
    func run(_ inputs: [Tensor]) -> [Tensor] {
        withSubnormalsFlushed {
            threadMode.run { runSteps(inputs) }
        }
    }

    private func runSteps(_ inputs: [Tensor]) -> [Tensor] {
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (slot, value) in presetSlots { slots[slot] = value }
        for (slot, value) in zip(inputSlots, inputs) { slots[slot] = value }

        var storages = workspaces.take(count: bufferPlan.buffers.count)
        let writable = writableDonations(inputs)
        for (index, buffer) in bufferPlan.buffers.enumerated() {
            switch buffer.kind {
            case .persistent:
                if storages[index] == nil { storages[index] = Storage(byteCount: buffer.byteCount) }
            case .perCall:
                storages[index] = nil
            case .donated(let position):
                storages[index] = writable[position] ? inputs[position].storage : nil
            }
        }

        let profiling = PlanProfiler.isEnabled
        // One operand list and one destination list serve every step: a kernel does not
        // keep them, so each step refills their buffers in place.
        var operands = [Tensor]()
        var destinations = [Tensor]()
        operands.reserveCapacity(maximumStepInputs)
        destinations.reserveCapacity(maximumStepOutputs)
        for index in steps.indices {
            let step = steps[index]
            let started = profiling ? PlanProfiler.now() : 0
            ExecutionPlan.fill(&operands, count: step.inputs.count) { slots[step.inputs[$0]]! }
            if let kernel = step.destinationKernel, let assigned = step.destinationBuffers {
                ExecutionPlan.fill(&destinations, count: assigned.count) { position in
                    let buffer = assigned[position]
                    let type = step.outputTypes[position]
                    let storage = storages[buffer] ?? Storage(byteCount: bufferByteCounts[buffer])
                    storages[buffer] = storage
                    return Tensor(shape: type.shape, dtype: type.dtype, storage: storage)
                }
                kernel.evaluate(operands, into: destinations)
                for position in step.outputs.indices { slots[step.outputs[position]] = destinations[position] }
            } else {
                let results = step.primitive.evaluate(operands, types: step.outputTypes)
                for position in step.outputs.indices { slots[step.outputs[position]] = results[position] }
            }
            for slot in step.releasedSlots { slots[slot] = nil }
            if profiling { PlanProfiler.record(step, index: index, seconds: PlanProfiler.now() - started) }
        }
        let outputs = outputSlots.map { slots[$0]! }

        // Only the persistent buffers stay with the plan; the others belong to this call.
        for (index, buffer) in bufferPlan.buffers.enumerated() where buffer.kind != .persistent {
            storages[index] = nil
        }
        workspaces.give(storages)
        return outputs
    }

    /// Makes `list` hold `count` elements, element `i` being `element(i)`. It assigns
    /// over the elements already there, because `removeAll(keepingCapacity:)` on a
    /// list of tensors went through a slow generic range replacement on every step.
    @inline(__always)
    private static func fill(_ list: inout [Tensor], count: Int, _ element: (Int) -> Tensor) {
        if list.count > count { list.removeLast(list.count - count) }
        for index in 0..<count {
            if index < list.count {
                list[index] = element(index)
            } else {
                list.append(element(index))
            }
        }
    }

    /// Returns, for each input position, whether this call may overwrite its storage:
    /// only a donated input whose storage no other input leaf and no constant shares.
    private func writableDonations(_ inputs: [Tensor]) -> [Bool] {
        var writable = [Bool](repeating: false, count: inputs.count)
        for position in donatedPositions {
            let storage = inputs[position].storage!
            // A training state has a few dozen leaves, so comparing pairs is cheaper
            // than hashing every input.
            let shared = inputs.indices.contains { $0 != position && inputs[$0].storage! === storage }
            writable[position] = !shared && !presetStorages.contains(ObjectIdentifier(storage))
        }
        return writable
    }
}

/// A literal of one element, identified by its dtype, shape and bytes.
private struct ScalarLiteral: Hashable {
    let dtype: DType
    let shape: [Int]
    let bytes: [UInt8]

    init(_ value: Tensor) {
        dtype = value.dtype
        shape = value.shape
        bytes = value.withElements(UInt8.self) { Array(UnsafeBufferPointer(start: $0, count: value.dtype.byteSize)) }
    }
}

/// The persistent buffers of a plan, one set per call running at the same time.
final class PlanWorkspaces: Sendable {
    private let idle = Mutex<[[Storage?]]>([])

    /// A set of buffers that no running call uses, empty when none is idle.
    func take(count: Int) -> [Storage?] {
        idle.withLock { $0.popLast() } ?? [Storage?](repeating: nil, count: count)
    }

    func give(_ storages: [Storage?]) {
        idle.withLock { $0.append(storages) }
    }
}
