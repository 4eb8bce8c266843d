import Synchronization

/// The key that selects a trace of a jitted function: the output's type, the tree
/// structure of the arguments, the shape and dtype of every leaf, and the values of the
/// static arguments.
struct JitSignature: Hashable, @unchecked Sendable {
    let outputType: ObjectIdentifier
    let structure: TreeStructure
    let types: [TensorType]
    let staticArguments: [AnyHashable]
}

/// One trace of a jitted function: its graph, the compiled plan, and the structure of
/// its output.
final class JitEntry: @unchecked Sendable {
    let jaxpr: Jaxpr
    let plan: ExecutionPlan
    let outputDefinition: Any

    init(jaxpr: Jaxpr, plan: ExecutionPlan, outputDefinition: Any) {
        self.jaxpr = jaxpr
        self.plan = plan
        self.outputDefinition = outputDefinition
    }
}

/// The compiled traces of one jitted function, one per signature, with counters for
/// tests and diagnostics.
///
/// Pass one to `jit(_:name:cache:)` to observe how often the function is traced:
///
/// ```swift
/// let cache = JitCache()
/// let scaled = jit({ (x: Tensor) in x * 2 }, cache: cache)
/// _ = scaled(Tensor([1, 2] as [Float]))
/// _ = scaled(Tensor([3, 4] as [Float]))  // same signature: no new trace
/// // cache.traceCount == 1
/// ```
///
/// A cache is safe to use from several tasks. A signature traced by two tasks at the
/// same time may be traced twice; the first result is kept.
public final class JitCache: Sendable {
    private struct State {
        var entries: [JitSignature: JitEntry] = [:]
        /// The entry found or stored last. A training loop calls with one signature, and
        /// comparing it is cheaper than hashing the signature.
        var lastUsed: (signature: JitSignature, entry: JitEntry)?
        var traceCount = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times the function has been traced, including traces that were not
    /// cached because the function captured a tensor of an enclosing transformation.
    public var traceCount: Int { state.withLock { $0.traceCount } }

    /// The number of signatures with a compiled trace.
    public var entryCount: Int { state.withLock { $0.entries.count } }

    /// The graphs of the cached traces, in no particular order.
    public var jaxprs: [Jaxpr] { state.withLock { $0.entries.values.map(\.jaxpr) } }

    /// The argument structure of the entry found or stored last, which the next call
    /// most likely has too.
    var lastStructure: TreeStructure? { state.withLock { $0.lastUsed?.signature.structure } }

    func entry(for signature: JitSignature) -> JitEntry? {
        state.withLock { state in
            if let last = state.lastUsed, last.signature == signature { return last.entry }
            guard let entry = state.entries[signature] else { return nil }
            state.lastUsed = (signature, entry)
            return entry
        }
    }

    /// Stores `entry` unless another task stored one first, and returns the stored one.
    func insert(_ entry: JitEntry, for signature: JitSignature) -> JitEntry {
        state.withLock { state in
            if let existing = state.entries[signature] { return existing }
            state.entries[signature] = entry
            return entry
        }
    }

    func recordTrace() {
        state.withLock { $0.traceCount += 1 }
    }
}

/// Calls a jitted function on the flat `leaves` of its arguments.
///
/// Looks up the trace for the signature, tracing `function` (which maps leaves to
/// output leaves and returns the output's tree definition) when there is none. With
/// concrete arguments outside any trace, the compiled plan runs. Otherwise, under
/// `grad`, `vmap` or an enclosing `jit`, the graph's equations are bound again on the
/// arguments, so the enclosing transformations process them as if `function` had run
/// (the jitted function is inlined into them). The plan may overwrite the storages of
/// the leaves at the positions that `donatedLeaves` returns, which is called only when
/// a new trace is compiled.
func callJitted(
    cache: JitCache, context: String, leaves: [Tensor], outputType: Any.Type, structure: TreeStructure,
    staticArguments: [AnyHashable], donatedLeaves: () -> Set<Int> = { [] },
    function: @escaping ([Tensor]) -> (outputs: [Tensor], definition: Any)
) -> (outputs: [Tensor], definition: Any) {
    let signature = JitSignature(
        outputType: ObjectIdentifier(outputType), structure: structure, types: leaves.map(\.type),
        staticArguments: staticArguments)
    let isInsideTrace = TraceStack.dynamicTrace != nil || leaves.contains { !$0.isConcrete }

    if let entry = cache.entry(for: signature) {
        let outputs = isInsideTrace ? entry.jaxpr.bindEquations(leaves) : entry.plan.run(leaves)
        return (outputs, entry.outputDefinition)
    }

    var definition: Any?
    let jaxpr = traceJaxpr(inputTypes: signature.types, context: context) { inputs in
        let result = function(inputs)
        definition = result.definition
        return result.outputs
    }
    cache.recordTrace()

    // A graph that captured a tracer of an enclosing transformation is valid only for
    // this call, so it is inlined and not cached.
    guard jaxpr.hasOnlyConcreteConstants else {
        return (jaxpr.bindEquations(leaves), definition!)
    }
    // Constant folding runs kernels; an enclosing trace must not record what they bind.
    let donated = donatedLeaves()
    let plan = TraceStack.$dynamicTrace.withValue(nil) { ExecutionPlan(jaxpr, donatedInputs: donated) }
    let entry = cache.insert(JitEntry(jaxpr: jaxpr, plan: plan, outputDefinition: definition!), for: signature)
    let outputs = isInsideTrace ? entry.jaxpr.bindEquations(leaves) : entry.plan.run(leaves)
    return (outputs, entry.outputDefinition)
}

/// The name of a jitted function in error messages: `name`, or its source location.
func jitContext(name: String?, fileID: String, line: Int) -> String {
    "jit of \(name ?? "the function at \(fileID):\(line)")"
}
