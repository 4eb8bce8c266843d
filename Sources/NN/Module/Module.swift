/// A neural-network layer or model: a value that describes a computation.
///
/// A module contains configuration (sizes, initializers, submodules), never
/// parameters. `initialize(key:_:)` runs the computation once to create the
/// variables, a tree of collections such as `["params": ...]`, and
/// `apply(_:_:)` runs it with given variables. Inside `call(_:)`, a module
/// declares its parameters with `param(_:shape:dtype:initializer:)` and
/// calls its submodules with call syntax. The framework binds each call to
/// the right part of the variables through a task-local scope, so nothing
/// is passed by hand. Calling a module outside `initialize` or `apply`
/// stops with a message.
///
/// Two styles give the same variables for the same names:
///
/// ```swift
/// // Compact: submodules are created inline in the body.
/// struct CompactMLP: Module {
///     func call(_ x: Tensor) -> Tensor {
///         let hidden = relu(Dense(128, name: "hidden")(x))
///         return Dense(10, name: "Output")(hidden)
///     }
/// }
///
/// // Setup: submodules are stored properties, named after the property
/// // unless they have an explicit name.
/// struct SetupMLP: Module {
///     let hidden = Dense(128)
///     let output = Dense(10, name: "Output")
///     func call(_ x: Tensor) -> Tensor {
///         output(relu(hidden(x)))
///     }
/// }
/// ```
///
/// Submodule names, in order of precedence:
/// 1. the explicit `name`;
/// 2. the label of the parent's stored property that holds the submodule,
///    or `label_i` for element `i` of an array property;
/// 3. `TypeName_i`, with `i` counting the unnamed calls of that type in this
///    call of the parent (`Dense_0`, `Dense_1`), as Flax names them.
///
/// Properties are found with `Mirror` when the parent is entered, and a call
/// is matched to the property whose value it equals field by field. Library
/// modules such as `Dense` carry an identity drawn when they are created, so
/// two properties both holding `Dense(128)` are still told apart. Two
/// properties holding equal values of a user type without such an identity
/// are matched in declaration order. Name those explicitly when they are
/// called out of order or more than once. Calling the same stored submodule
/// twice shares its variables, and two different submodules with one name in
/// the same parent stop with `ModuleError.duplicateName`.
public protocol Module<Input, Output> {
    associatedtype Input
    associatedtype Output

    /// The name of this module in its parent's variables, or nil to name it
    /// after the parent's property or by its type and call order. Ignored
    /// for the module passed to `initialize` or `apply`, whose variables form
    /// the root of the tree. The default is nil. Declare it as `String?`,
    /// because a property of another type does not satisfy this requirement
    /// and is ignored.
    var name: String? { get }

    /// Computes the output. `callAsFunction`, `initialize` and `apply` run
    /// this method inside the module's scope. Do not call it directly.
    func call(_ input: Input) -> Output
}

extension Module {
    public var name: String? { nil }

    /// Runs this module as a submodule of the module whose body is running,
    /// under its own name in the variables.
    ///
    /// Stops when no `initialize` or `apply` is running, and when the name is
    /// already used in the parent (unless this is the same stored submodule
    /// called again).
    public func callAsFunction(_ input: Input) -> Output {
        callAsSubmodule(assignedName: name, input)
    }

    /// Runs this module as a submodule under `assignedName`, or under a name
    /// chosen by the parent's scope when it is nil.
    func callAsSubmodule(assignedName: String?, _ input: Input) -> Output {
        guard let parent = ModuleScope.current else {
            preconditionFailure(
                "\(Self.self) was called outside initialize or apply. A module is a description: create its "
                    + "variables with model.initialize(key:_:) and run it with model.apply(_:_:).")
        }
        let scope = parent.child(for: self, assignedName: assignedName)
        return ModuleScope.$current.withValue(scope) {
            call(input)
        }
    }

    // MARK: Initialization and application

    /// Creates the variables of this module by running it once on `input`.
    ///
    /// Returns `["params": tree]` with one entry per submodule path, such as
    /// `params/Dense1/kernel`, or an empty tree when no parameter is declared.
    /// Each parameter's value is the one Flax linen creates with the same key,
    /// names and parameter order. Only the shape and dtype of `input` matter
    /// to the result. Stops on duplicate names, naming the path.
    public func initialize(key: PRNGKey, _ input: Input) -> TensorTree {
        initializeWithOutput(key: key, input).variables
    }

    /// Creates the variables like `initialize(key:_:)` and returns them with
    /// the output of the initializing run, like Flax's `init_with_output`.
    public func initializeWithOutput(key: PRNGKey, _ input: Input) -> (output: Output, variables: TensorTree) {
        let run = ModuleRun(mode: .initialize(key), collectsErrors: false)
        let output = run.runRoot(self, input)
        return (output, run.initializedVariables())
    }

    /// Creates the variables like `initialize(key:_:)`, but throws the first
    /// `ModuleError` instead of stopping.
    public func tryInitialize(key: PRNGKey, _ input: Input) throws(ModuleError) -> TensorTree {
        let run = ModuleRun(mode: .initialize(key), collectsErrors: true)
        _ = run.runRoot(self, input)
        if let error = run.firstError {
            throw error
        }
        return run.initializedVariables()
    }

    /// Runs this module with `variables`, the tree that `initialize` returned
    /// (or one of the same structure, such as trained parameters).
    ///
    /// Stops when a parameter is missing or has another shape or dtype than
    /// the module declares, with a message naming the path (`Dense2/kernel`)
    /// and the expected and actual values. Collections other than `params`
    /// are ignored. Works inside `grad` and other transformations, since it
    /// reads only the shapes and dtypes of the variables.
    public func apply(_ variables: TensorTree, _ input: Input) -> Output {
        let run = ModuleRun(mode: .apply, givenVariables: variables, collectsErrors: false)
        return run.runRoot(self, input)
    }

    /// Runs this module like `apply(_:_:)`, but throws the first
    /// `ModuleError` instead of stopping.
    ///
    /// After an error the body still runs to the end, with zeros of the
    /// declared shape in place of each bad parameter, and its output is
    /// discarded.
    public func tryApply(_ variables: TensorTree, _ input: Input) throws(ModuleError) -> Output {
        let run = ModuleRun(mode: .apply, givenVariables: variables, collectsErrors: true)
        let output = run.runRoot(self, input)
        if let error = run.firstError {
            throw error
        }
        return output
    }

    // MARK: Parameters

    /// Declares the parameter `name` of this module and returns its value.
    ///
    /// During `initialize` the value is `initializer(key, shape, dtype)` with
    /// the key Flax derives from the module path and the position of this
    /// call among the module's `param` calls (the parameter's name plays no
    /// part). During `apply` the value comes from `variables["params"]` at
    /// this module's path, and its shape and dtype must equal `shape` and
    /// `dtype`.
    ///
    /// Call it only from this module's `call(_:)`. Stops when no
    /// `initialize` or `apply` is running, and when the running body belongs
    /// to another module.
    public func param(_ name: String, shape: [Int], dtype: DType = .float32, initializer: Initializer) -> Tensor {
        guard let scope = ModuleScope.current else {
            preconditionFailure(
                "param(\"\(name)\") was called outside initialize or apply. Declare parameters inside a module's "
                    + "call(_:) and run the module with initialize(key:_:) or apply(_:_:).")
        }
        return scope.parameter(name, shape: shape, dtype: dtype, initializer: initializer, requester: Self.self)
    }
}
