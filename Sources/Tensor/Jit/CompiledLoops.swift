// Compiled control flow inside a jit plan.
//
// Outside jit, `scan`, `while` and `cond` run their bodies by calling the Swift closures
// eagerly in every iteration. When an `ExecutionPlan` is built, it replaces each of
// these primitives by a compiled counterpart. That counterpart traces every body once
// with `traceJaxpr` and compiles the graph into its own plan, which each iteration then
// runs on the carry and the captured values. So a body is traced once per jit
// signature, when the outer plan is built, and never while the plan runs.

/// A control-flow body compiled into a plan over its inputs in `ClosedBody` order: the
/// explicit inputs, then the captured values.
struct CompiledBody {
    let jaxpr: Jaxpr
    let plan: ExecutionPlan

    /// Traces `body` and compiles the graph, or returns nil when the graph captured a
    /// tensor that is not concrete, which only the eager path can handle.
    init?(_ body: ClosedBody) {
        let jaxpr = traceBodyJaxpr(body)
        guard jaxpr.hasOnlyConcreteConstants else { return nil }
        // TODO: donate the carry to the plan from the second iteration on, when no other
        // value (such as a stacked y of scan) shares the previous iteration's carry, so
        // that large carries are updated in place.
        self.jaxpr = jaxpr
        self.plan = TraceStack.$dynamicTrace.withValue(nil) { ExecutionPlan(jaxpr) }
    }

    func callAsFunction(_ inputs: [Tensor]) -> [Tensor] {
        plan.run(inputs)
    }
}

/// Returns the compiled counterpart of a control-flow primitive, or `primitive` itself
/// for any other primitive and for a body that cannot be compiled.
func compilingControlFlow(_ primitive: any Primitive) -> any Primitive {
    switch primitive {
    case let scan as Scan:
        return CompiledScan(scan) ?? primitive
    case let loop as WhileLoop:
        return CompiledWhileLoop(loop) ?? primitive
    case let branching as Switch:
        return CompiledSwitch(branching) ?? primitive
    default:
        return primitive
    }
}

/// A `scan` whose body runs as a compiled plan. Plans only evaluate their steps, and
/// `vjp` and `batch` forward to the original primitive in case one is ever called.
struct CompiledScan: Primitive {
    let scan: Scan
    let body: CompiledBody

    init?(_ scan: Scan) {
        guard let body = CompiledBody(scan.body) else { return nil }
        self.scan = scan
        self.body = body
    }

    var name: String { scan.name }
    var parameterDescription: String { scan.parameterDescription }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { scan.outputTypes(inputs) }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let carryCount = scan.carryCount
        let xCount = scan.body.inputTypes.count - carryCount
        let length = scan.length
        var carry = Array(inputs[..<carryCount])
        let xs = Array(inputs[carryCount..<(carryCount + xCount)])
        let captured = Array(inputs[(carryCount + xCount)...])

        let yTypes = Array(scan.body.outputTypes[carryCount...])
        var stepOutputs = [[Tensor]](repeating: [], count: length)
        for step in 0..<length {
            let t = scan.reverse ? length - 1 - step : step
            let outputs = body(carry + xs.map { $0.index(axis: 0, t) } + captured)
            carry = Array(outputs[..<carryCount])
            stepOutputs[t] = Array(outputs[carryCount...])
        }
        let ys = yTypes.indices.map { output -> Tensor in
            if length == 0 {
                return Tensor.zeros([0] + yTypes[output].shape, dtype: yTypes[output].dtype)
            }
            return stack(stepOutputs.map { $0[output] }, axis: 0)
        }
        return carry + ys
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        scan.vjp(inputs: inputs, outputs: outputs, cotangents: cotangents)
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        scan.batch(inputs, axes: axes)
    }
}

/// A `while` whose condition and body run as compiled plans.
struct CompiledWhileLoop: Primitive {
    let loop: WhileLoop
    let condition: CompiledBody
    let body: CompiledBody

    init?(_ loop: WhileLoop) {
        guard let condition = CompiledBody(loop.condition), let body = CompiledBody(loop.body) else { return nil }
        self.loop = loop
        self.condition = condition
        self.body = body
    }

    var name: String { loop.name }
    var parameterDescription: String { loop.parameterDescription }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { loop.outputTypes(inputs) }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let carryCount = loop.body.inputTypes.count
        let conditionEnd = carryCount + loop.condition.captured.count
        var carry = Array(inputs[..<carryCount])
        let conditionCaptured = Array(inputs[carryCount..<conditionEnd])
        let bodyCaptured = Array(inputs[conditionEnd...])
        while condition(carry + conditionCaptured)[0].item(as: Bool.self) {
            carry = body(carry + bodyCaptured)
        }
        return carry
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        loop.vjp(inputs: inputs, outputs: outputs, cotangents: cotangents)
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        loop.batch(inputs, axes: axes)
    }
}

/// A `cond` whose branches are all compiled when the plan is built. Only the selected
/// branch runs.
struct CompiledSwitch: Primitive {
    let switchPrimitive: Switch
    let branches: [CompiledBody]

    init?(_ switchPrimitive: Switch) {
        var branches = [CompiledBody]()
        for branch in switchPrimitive.branches {
            guard let compiled = CompiledBody(branch) else { return nil }
            branches.append(compiled)
        }
        self.switchPrimitive = switchPrimitive
        self.branches = branches
    }

    var name: String { switchPrimitive.name }
    var parameterDescription: String { switchPrimitive.parameterDescription }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { switchPrimitive.outputTypes(inputs) }

    func evaluate(_ inputs: [Tensor], types: [TensorType]) -> [Tensor] {
        let operandCount = switchPrimitive.operandCount
        let requested = Int(inputs[0].item(as: Int32.self))
        let number = Swift.min(Swift.max(requested, 0), branches.count - 1)
        let capturedStart =
            1 + operandCount + switchPrimitive.branches[..<number].map(\.captured.count).reduce(0, +)
        let capturedEnd = capturedStart + switchPrimitive.branches[number].captured.count
        return branches[number](Array(inputs[1...operandCount]) + Array(inputs[capturedStart..<capturedEnd]))
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        switchPrimitive.vjp(inputs: inputs, outputs: outputs, cotangents: cotangents)
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        switchPrimitive.batch(inputs, axes: axes)
    }
}
