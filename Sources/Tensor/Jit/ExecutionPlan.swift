/// A compiled graph: the kernels of a jaxpr as an ordered list of steps over numbered
/// value slots, run on concrete tensors without tracing.
///
/// Compiling removes the equations that no output depends on (dead code). It evaluates
/// once, at compile time, every equation whose inputs are all constants (constant
/// folding), and their results become preset slots. Each slot is cleared after
/// its last use, so intermediate buffers return to the allocator (and its cache of
/// freed buffers) as soon as possible.
struct ExecutionPlan: @unchecked Sendable {
    /// One kernel call: reads `inputs`, writes `outputs`, then clears `releasedSlots`
    /// (the slots that no later step or output reads).
    struct Step {
        let primitive: any Primitive
        let inputs: [Int]
        let outputs: [Int]
        let outputTypes: [TensorType]
        let releasedSlots: [Int]
    }

    let slotCount: Int
    let inputSlots: [Int]
    let presetSlots: [(slot: Int, value: Tensor)]
    let steps: [Step]
    let outputSlots: [Int]

    /// The number of equations removed as dead code and folded as constants.
    let removedEquationCount: Int
    let foldedEquationCount: Int

    /// Compiles `jaxpr`, whose constants must all be concrete.
    init(_ jaxpr: Jaxpr) {
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

        func slot(for atom: JaxprAtom) -> Int {
            switch atom {
            case .variable(let variable):
                return slotOf[variable.id]!
            case .literal(let value):
                known[slotCount] = value
                slotCount += 1
                return slotCount - 1
            }
        }

        var pending = [(primitive: any Primitive, inputs: [Int], outputs: [Int], types: [TensorType])]()
        var folded = 0
        for (index, equation) in jaxpr.equations.enumerated() where live[index] {
            let inputs = equation.inputs.map(slot)
            let outputs = equation.outputs.map(newSlot)
            let types = equation.outputs.map(\.type)
            if inputs.allSatisfy({ known[$0] != nil }) {
                let results = equation.primitive.evaluate(inputs.map { known[$0]! }, types: types)
                for (output, result) in zip(outputs, results) { known[output] = result }
                folded += 1
            } else {
                // Loops and branches run their bodies as compiled sub-plans (CompiledLoops.swift).
                pending.append((compilingControlFlow(equation.primitive), inputs, outputs, types))
            }
        }
        let outputSlots = jaxpr.outputs.map(slot)

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
                primitive: step.primitive, inputs: step.inputs, outputs: step.outputs, outputTypes: step.types,
                releasedSlots: released[index].sorted())
        }
        self.slotCount = slotCount
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        self.removedEquationCount = live.filter { !$0 }.count
        self.foldedEquationCount = folded
        // TODO: fuse chains of elementwise steps into one pass over the elements, so an
        // expression such as `x * 0.5 * (tanh(y) + 1)` stops allocating a buffer per step.
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

    /// Runs the steps on concrete `inputs` of the traced types.
    func run(_ inputs: [Tensor]) -> [Tensor] {
        // TODO: assign every intermediate to a preallocated buffer that is reused once its
        // value is dead, and update donated inputs in place, so that a warm call allocates
        // nothing. Today each kernel allocates its outputs.
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (slot, value) in presetSlots { slots[slot] = value }
        for (slot, value) in zip(inputSlots, inputs) { slots[slot] = value }
        for step in steps {
            let operands = step.inputs.map { slots[$0]! }
            let results = step.primitive.evaluate(operands, types: step.outputTypes)
            for (slot, result) in zip(step.outputs, results) { slots[slot] = result }
            for slot in step.releasedSlots { slots[slot] = nil }
        }
        return outputSlots.map { slots[$0]! }
    }
}
