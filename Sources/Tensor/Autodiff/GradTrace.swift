/// A tensor recorded on a reverse-mode tape: its primal value and the tape node that
/// produced it.
final class GradTracer: Tracer {
    let primal: Tensor
    let node: Int
    let output: Int

    init(trace: GradTrace, primal: Tensor, node: Int, output: Int) {
        self.primal = primal
        self.node = node
        self.output = output
        super.init(trace: trace)
    }

    /// Python control flow on values works under `grad`, as in JAX: the primal is read.
    override func concreteValue() -> Tensor? {
        if primal.isConcrete { return primal }
        return primal.tracer?.concreteValue()
    }
}

/// The reverse-mode interpreter: evaluates primitives on the primal values (at lower
/// levels) and records each application so `backward` can apply the `vjp` rules in
/// reverse order.
final class GradTrace: Trace {
    struct Node {
        let primitive: (any Primitive)?
        let inputs: [(node: Int, output: Int)?]
        let primalInputs: [Tensor]
        let primalOutputs: [Tensor]
    }

    let level: Int
    let context: String
    private(set) var nodes: [Node] = []

    /// Whether the differentiated function has returned. Its tensors can outlive it, in
    /// a non-tree aux output or a captured variable, and then act as their primal values.
    private(set) var isFinished = false

    init(level: Int, context: String) {
        self.level = level
        self.context = context
    }

    /// Registers an input of the differentiated function.
    func newInput(_ primal: Tensor) -> Tensor {
        nodes.append(Node(primitive: nil, inputs: [], primalInputs: [], primalOutputs: [primal]))
        return wrap(primal, node: nodes.count - 1, output: 0)
    }

    private func wrap(_ primal: Tensor, node: Int, output: Int) -> Tensor {
        Tensor(shape: primal.shape, dtype: primal.dtype, tracer: GradTracer(trace: self, primal: primal, node: node, output: output))
    }

    /// The primal value and the tape reference of `x`, as seen by this trace.
    func unwrap(_ x: Tensor) -> (Tensor, (node: Int, output: Int)?) {
        if let tracer = x.tracer as? GradTracer, tracer.trace === self {
            return (tracer.primal, (tracer.node, tracer.output))
        }
        return (x, nil)
    }

    func process(_ primitive: any Primitive, _ inputs: [Tensor]) -> [Tensor] {
        if isFinished {
            return bind(primitive, inputs.map { unwrap($0).0 })
        }
        let unwrapped = inputs.map(unwrap)
        let primals = unwrapped.map(\.0)
        let references = unwrapped.map(\.1)
        // A custom rule replaces differentiation at this level only. Its forward function
        // runs as ordinary operations on the primals, so outer transformations trace and
        // differentiate it, and the residuals the rule reads carry their derivatives (as
        // in JAX: grad(grad(f)) differentiates the backward rule and the forward function).
        let outputs = (primitive as? CustomVJPCall)?.runForward(primals) ?? bind(primitive, primals)
        guard outputs.contains(where: { $0.dtype.isFloatingPoint }) else { return outputs }

        nodes.append(Node(primitive: primitive, inputs: references, primalInputs: primals, primalOutputs: outputs))
        let node = nodes.count - 1
        return outputs.enumerated().map { wrap($0.element, node: node, output: $0.offset) }
    }

    /// Propagates `seeds` (cotangents of the tape entries `targets`) back to the inputs
    /// `inputNodes`, returning nil for inputs that the targets do not depend on.
    func backward(targets: [(node: Int, output: Int)], seeds: [Tensor], inputNodes: [Int]) -> [Tensor?] {
        var cotangents = [[Tensor?]?](repeating: nil, count: nodes.count)
        func accumulate(_ reference: (node: Int, output: Int), _ value: Tensor) {
            let count = nodes[reference.node].primalOutputs.count
            var slot = cotangents[reference.node] ?? [Tensor?](repeating: nil, count: count)
            if let existing = slot[reference.output] {
                slot[reference.output] = existing + value
            } else {
                slot[reference.output] = value
            }
            cotangents[reference.node] = slot
        }
        for (target, seed) in zip(targets, seeds) {
            accumulate(target, seed)
        }

        let earliest = inputNodes.min() ?? 0
        for index in stride(from: nodes.count - 1, through: earliest, by: -1) {
            guard let slot = cotangents[index], let primitive = nodes[index].primitive else { continue }
            let node = nodes[index]
            let outputCotangents = zip(slot, node.primalOutputs).map { cotangent, output in
                cotangent ?? Tensor.zeros(like: output)
            }
            let inputCotangents = primitive.vjp(inputs: node.primalInputs, outputs: node.primalOutputs, cotangents: outputCotangents)
            for (reference, cotangent) in zip(node.inputs, inputCotangents) {
                guard let reference, let cotangent else { continue }
                accumulate(reference, cotangent)
            }
            cotangents[index] = nil
        }
        return inputNodes.map { cotangents[$0]?[0] }
    }

    /// Stops recording, so that later operations on this trace's tensors use their
    /// primal values and are not recorded on the finished tape.
    func finish() {
        isFinished = true
    }

    /// Drops the tape, breaking the reference cycles between the trace and its tracers.
    func release() {
        nodes.removeAll()
    }
}
