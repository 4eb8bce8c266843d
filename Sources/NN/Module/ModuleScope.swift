// The scope: the binding between a running module and its variables.
//
// Everything that connects a module's body to the variables lives in this
// file. A module body never receives the scope as an argument. It is a
// task-local value, `ModuleScope.current`, that exists only while
// `initialize`, `apply` or their throwing variants run:
//
// 1. `initialize`/`apply` create a `ModuleRun` (the mode, the root key or the
//    given variables, the parameters created so far, the per-module key
//    counters) and bind a root scope with an empty path while the root
//    module's body runs.
// 2. Calling a submodule (`Dense(128, name: "Dense1")(x)`) requests a child
//    scope from the current scope. The child's name is the explicit name,
//    else the name of the parent's property that stores the submodule (see
//    SubmoduleDiscovery.swift), else `TypeName_i` counted per type within
//    this call of the parent. The child scope is bound while the submodule's
//    body runs, and the parent's is restored afterwards.
// 3. `param(_:shape:dtype:initializer:)` reads the current scope. In init mode
//    it creates the value with the key Flax would derive for that module path
//    and parameter position. In apply mode it reads the value from the
//    variables and checks its shape and dtype.
//
// Calling a module or `param` with no scope bound stops with a message. Task
// locals are visible to child tasks, so the run state is guarded by locks,
// although a module body is synchronous and normally runs on one thread.

import Synchronization

/// The position of a running module: its run, its path, and its frame.
struct ModuleScope: Sendable {
    /// The scope of the module whose body is running, or nil outside
    /// `initialize` and `apply`.
    @TaskLocal static var current: ModuleScope?

    /// The `initialize` or `apply` call this scope belongs to.
    let run: ModuleRun

    /// Module names from the root to this module, empty for the root.
    let path: [String]

    /// The state of this one call of the module's body.
    let frame: ModuleFrame

    /// Creates the scope of `module` when `initialize` or `apply` starts it.
    static func root(of module: some Module, run: ModuleRun) -> ModuleScope {
        ModuleScope(run: run, path: [], frame: ModuleFrame(module: module))
    }

    /// The path as text for messages: `Block_0/inner`, or empty for the root.
    var pathText: String {
        path.joined(separator: "/")
    }

    // MARK: Submodules

    /// Creates the scope for a call of the submodule `module` from this
    /// scope's body.
    ///
    /// - Parameter assignedName: The name chosen by the caller: the module's
    ///   explicit name, or the name a container such as `Sequential` gives it.
    func child<Child: Module>(for module: Child, assignedName: String?) -> ModuleScope {
        let fingerprint = frame.declared.isEmpty ? ModuleFingerprint.notCompared : ModuleFingerprint(module)
        let (name, isAvailable) = frame.reserveSubmoduleName(
            assignedName: assignedName, typeName: automaticNamePrefix(Child.self), fingerprint: fingerprint)
        if !isAvailable {
            // When errors are collected, the call still runs and shares the
            // variables of the name's first owner.
            run.report(.duplicateName(name: name, parentPath: pathText))
        }
        return ModuleScope(run: run, path: path + [name], frame: ModuleFrame(module: module))
    }

    // MARK: Parameters

    /// Creates (init mode) or reads and checks (apply mode) the parameter
    /// `name` of the running module.
    func parameter(
        _ name: String, shape: [Int], dtype: DType, initializer: Initializer, requester: Any.Type
    ) -> Tensor {
        precondition(
            ObjectIdentifier(requester) == frame.moduleType,
            "param(\"\(name)\"): requested by a \(requester) value while the body of \(frame.moduleTypeName) "
                + "is running\(path.isEmpty ? "" : " at '\(pathText)'"). Call submodules as module(x), not "
                + "module.call(x), and declare parameters only in the body of the module that owns them.")
        precondition(
            shape.allSatisfy { $0 >= 0 }, "param(\"\(name)\"): shape \(formatShape(shape)) has a negative extent")

        let parameterPath = path + [name]
        if !frame.reserveParameterName(name) {
            run.report(.duplicateName(name: name, parentPath: pathText))
        }

        switch run.mode {
        case .initialize(let rootKey):
            return run.createdParameter(at: parameterPath, modulePath: path, shape: shape, dtype: dtype) { counter in
                let key = parameterKey(root: rootKey, modulePath: path, counter: counter)
                let value = initializer(key, shape, dtype: dtype)
                precondition(
                    value.shape == shape && value.dtype == dtype,
                    "param(\"\(parameterPath.joined(separator: "/"))\"): the initializer returned \(value.type) "
                        + "for a request of \(TensorType(shape: shape, dtype: dtype))")
                return value
            }
        case .apply:
            return run.givenParameter(at: parameterPath, shape: shape, dtype: dtype)
        }
    }
}

/// Returns the name prefix of automatic submodule names: the type name without
/// generic arguments or enclosing types, as Flax uses the class name.
private func automaticNamePrefix(_ type: Any.Type) -> String {
    let fullName = String(describing: type)
    let withoutGenerics = fullName.split(separator: "<", maxSplits: 1).first.map(String.init) ?? fullName
    return withoutGenerics.split(separator: ".").last.map(String.init) ?? withoutGenerics
}

// MARK: - Frame

/// The state of one call of a module's body: the names reserved so far, the
/// counters for automatic names, and the submodules its properties declare.
final class ModuleFrame: Sendable {
    /// The type of the module whose body runs, to catch `param` calls made on
    /// another module value.
    let moduleType: ObjectIdentifier
    let moduleTypeName: String

    /// The submodules stored in the module's properties, in declaration order.
    let declared: [DeclaredSubmodule]

    private let state = Mutex(FrameState())

    private struct FrameState {
        var reservations: [String: Reservation] = [:]
        var automaticNameCounts: [String: Int] = [:]
        var usedDeclared: Set<Int> = []
    }

    /// The owner of a reserved name in a frame.
    private enum Reservation: Equatable {
        case parameter
        /// A submodule with this fingerprint. Only a declared submodule (one
        /// stored in a property) may be called again under its name.
        case submodule(ModuleFingerprint, declared: Bool)
    }

    init<M: Module>(module: M) {
        moduleType = ObjectIdentifier(M.self)
        moduleTypeName = String(describing: M.self)
        declared = declaredSubmodules(of: module)
    }

    /// Reserves the name of a parameter and returns false when it is taken.
    func reserveParameterName(_ name: String) -> Bool {
        state.withLock { state in
            if state.reservations[name] != nil {
                return false
            }
            state.reservations[name] = .parameter
            return true
        }
    }

    /// Chooses the name of a submodule call and reserves it.
    ///
    /// The name is `assignedName` when given, else the name of the declared
    /// property whose value matches `fingerprint`, else `typeName_i` with `i`
    /// counted per type name in this frame, as Flax counts automatic names.
    /// `isAvailable` is false when a parameter or another submodule already
    /// has the name. A declared submodule may take its own name again, which
    /// shares its variables.
    func reserveSubmoduleName(
        assignedName: String?, typeName: String, fingerprint: ModuleFingerprint
    ) -> (name: String, isAvailable: Bool) {
        state.withLock { state in
            let declaredIndex = matchDeclared(fingerprint, used: &state.usedDeclared)

            let name: String
            if let assignedName {
                name = assignedName
            } else if let declaredIndex {
                name = declared[declaredIndex].name
            } else {
                let count = state.automaticNameCounts[typeName, default: 0]
                state.automaticNameCounts[typeName] = count + 1
                name = "\(typeName)_\(count)"
            }

            let reservation = Reservation.submodule(fingerprint, declared: declaredIndex != nil)
            switch state.reservations[name] {
            case nil:
                state.reservations[name] = reservation
                return (name, true)
            case .some(let existing):
                return (name, existing == reservation && declaredIndex != nil)
            }
        }
    }

    /// Finds the index of the declared submodule that a call with
    /// `fingerprint` refers to: the first match not used yet in this frame,
    /// else the first match, else nil.
    private func matchDeclared(_ fingerprint: ModuleFingerprint, used: inout Set<Int>) -> Int? {
        let matches = declared.indices.filter { declared[$0].fingerprint == fingerprint }
        guard let chosen = matches.first(where: { !used.contains($0) }) ?? matches.first else {
            return nil
        }
        used.insert(chosen)
        return chosen
    }
}

// MARK: - Run

/// One `initialize` or `apply` call: its mode, the parameters created or
/// given, the key counter of every module path, and the first error when
/// errors are collected instead of stopping.
final class ModuleRun: Sendable {
    enum Mode: Sendable {
        /// Create parameters from keys derived from this root key.
        case initialize(PRNGKey)
        /// Read parameters from `givenVariables`.
        case apply
    }

    let mode: Mode

    /// Whether errors are recorded for a throwing variant to throw, instead of
    /// stopping the process.
    let collectsErrors: Bool

    /// The variables passed to `apply`; empty in init mode. The tree is never
    /// mutated, so reading it from several threads is safe.
    nonisolated(unsafe) let givenVariables: TensorTree

    private let state = Mutex(RunState())

    private struct RunState {
        var created: [[String]: Tensor] = [:]
        var keyCounters: [[String]: Int] = [:]
        var firstError: ModuleError?
    }

    init(mode: Mode, givenVariables: TensorTree = .dictionary([:]), collectsErrors: Bool) {
        self.mode = mode
        self.givenVariables = givenVariables
        self.collectsErrors = collectsErrors
    }

    /// The name of the public entry point, for messages.
    var operationName: String {
        switch mode {
        case .initialize: return "initialize"
        case .apply: return "apply"
        }
    }

    /// Runs the root module's body with the root scope bound.
    func runRoot<M: Module>(_ module: M, _ input: M.Input) -> M.Output {
        ModuleScope.$current.withValue(ModuleScope.root(of: module, run: self)) {
            module.call(input)
        }
    }

    /// Records `error` when errors are collected, and stops otherwise.
    func report(_ error: ModuleError) {
        guard collectsErrors else {
            preconditionFailure("\(operationName): \(error.description)")
        }
        state.withLock { state in
            if state.firstError == nil {
                state.firstError = error
            }
        }
    }

    /// The first error recorded, if any.
    var firstError: ModuleError? {
        state.withLock { $0.firstError }
    }

    /// Returns the parameter at `path` in init mode. A parameter created earlier in
    /// this run (by a shared submodule) is returned after a shape check and
    /// takes no key. A new one takes the next counter value of its module and
    /// is made by `make`.
    func createdParameter(
        at path: [String], modulePath: [String], shape: [Int], dtype: DType, make: (Int) -> Tensor
    ) -> Tensor {
        if let existing = state.withLock({ $0.created[path] }) {
            return checked(existing, at: path, shape: shape, dtype: dtype)
        }
        let counter = state.withLock { state in
            let next = state.keyCounters[modulePath, default: 0] + 1
            state.keyCounters[modulePath] = next
            return next
        }
        let value = make(counter)
        state.withLock { $0.created[path] = value }
        return value
    }

    /// Reads the parameter at `path` of the given variables' `params`
    /// collection and checks it against the declared shape and dtype.
    func givenParameter(at path: [String], shape: [Int], dtype: DType) -> Tensor {
        let pathText = path.joined(separator: "/")
        guard var node = givenVariables.child("params") else {
            report(.parameterNotFound(path: pathText, existingKeys: givenVariables.keys))
            return Tensor.zeros(shape, dtype: dtype)
        }
        for key in path {
            guard let next = node.child(key) else {
                report(.parameterNotFound(path: pathText, existingKeys: node.keys))
                return Tensor.zeros(shape, dtype: dtype)
            }
            node = next
        }
        guard case .leaf(let value) = node else {
            report(.parameterNotFound(path: pathText, existingKeys: node.keys))
            return Tensor.zeros(shape, dtype: dtype)
        }
        return checked(value, at: path, shape: shape, dtype: dtype)
    }

    /// `value` when its shape and dtype are the declared ones; otherwise the
    /// mismatch is reported and zeros of the declared type stand in.
    private func checked(_ value: Tensor, at path: [String], shape: [Int], dtype: DType) -> Tensor {
        let pathText = path.joined(separator: "/")
        if value.shape != shape {
            report(.parameterShapeMismatch(path: pathText, expected: shape, actual: value.shape))
            return Tensor.zeros(shape, dtype: dtype)
        }
        if value.dtype != dtype {
            report(.parameterDTypeMismatch(path: pathText, expected: dtype, actual: value.dtype))
            return Tensor.zeros(shape, dtype: dtype)
        }
        return value
    }

    /// The variables created in init mode: `["params": tree]`, or an empty
    /// tree when the model declares no parameters, as Flax returns `{}`.
    func initializedVariables() -> TensorTree {
        let created = state.withLock { $0.created }
        if created.isEmpty {
            return .dictionary([:])
        }
        var params = TensorTree.dictionary([:])
        for (path, value) in created {
            insert(value, at: path[...], into: &params)
        }
        return ["params": params]
    }
}

/// Inserts `value` at `path` below `node`, creating dictionaries on the way.
/// A leaf in the way is left alone: that only happens after a duplicate name,
/// which was already reported.
private func insert(_ value: Tensor, at path: ArraySlice<String>, into node: inout TensorTree) {
    guard case .dictionary(var entries) = node, let key = path.first else {
        return
    }
    if path.count == 1 {
        entries[key] = .leaf(value)
    } else {
        var child = entries[key] ?? .dictionary([:])
        insert(value, at: path.dropFirst(), into: &child)
        entries[key] = child
    }
    node = .dictionary(entries)
}
