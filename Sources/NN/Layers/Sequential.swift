/// A module that applies a list of layers in order, each to the output of the
/// one before (Flax's `nn.Sequential`).
///
/// Layers are modules from Tensor to Tensor, or plain functions such as
/// `relu`, which declare no variables:
///
/// ```swift
/// let mlp = Sequential {
///     Dense(128)
///     relu
///     Dense(10)
/// }
/// ```
///
/// A closure literal on the line right after a module is parsed as that
/// module's trailing closure, so wrap it in parentheses: `({ x in x * 2 })`.
///
/// A module layer without an explicit name is named `layers_<index>`, where
/// the index counts every layer, functions included, so the example above has
/// `layers_0` and `layers_2`. This matches Flax for a `Sequential` that is
/// initialized on its own or stored in a property of a setup-style module.
///
/// Two differences from Flax 0.12.8:
/// - An explicit name on a layer (`Dense(10, name: "Output")`) is kept, where
///   Flax replaces it with `layers_<index>`.
/// - A `Sequential` created inline in a compact body is a submodule named
///   `Sequential_0` with its layers below it, where Flax attaches the layers
///   to the enclosing module as `Dense_0`, `Dense_1`.
public struct Sequential: Module {
    /// The layers, applied first to last.
    public let layers: [SequentialLayer]

    public let name: String?

    /// Keeps separately created containers apart in setup-style naming.
    let identity = ModuleIdentity()

    /// Creates a container of `layers`. Stops when the list is empty, as Flax does.
    public init(_ layers: [SequentialLayer], name: String? = nil) {
        precondition(!layers.isEmpty, "Sequential: the list of layers is empty")
        self.layers = layers
        self.name = name
    }

    /// Creates a container of the layers listed in `content`, one per line.
    public init(name: String? = nil, @SequentialBuilder _ content: () -> [SequentialLayer]) {
        self.init(content(), name: name)
    }

    public func call(_ input: Tensor) -> Tensor {
        var output = input
        for (index, layer) in layers.enumerated() {
            switch layer.kind {
            case .module(let module):
                output = module.callAsSubmodule(assignedName: module.name ?? "layers_\(index)", output)
            case .function(let function):
                output = function(output)
            }
        }
        return output
    }
}

/// One layer of a `Sequential`: a module or a function.
public struct SequentialLayer {
    enum Kind {
        case module(any Module<Tensor, Tensor>)
        case function((Tensor) -> Tensor)
    }

    let kind: Kind

    /// Wraps `module` as a layer that runs it as a submodule of the `Sequential`.
    public static func module(_ module: some Module<Tensor, Tensor>) -> SequentialLayer {
        SequentialLayer(kind: .module(module))
    }

    /// Wraps `function` as a layer. A function declares no variables.
    public static func function(_ function: @escaping (Tensor) -> Tensor) -> SequentialLayer {
        SequentialLayer(kind: .function(function))
    }
}

/// Collects the lines of a `Sequential { ... }` block into layers: module
/// expressions become `.module` layers and `(Tensor) -> Tensor` functions
/// become `.function` layers. `if`, `if`-`else` and `for` are supported.
@resultBuilder
public enum SequentialBuilder {
    public static func buildExpression(_ module: some Module<Tensor, Tensor>) -> [SequentialLayer] {
        [.module(module)]
    }

    public static func buildExpression(_ function: @escaping (Tensor) -> Tensor) -> [SequentialLayer] {
        [.function(function)]
    }

    public static func buildExpression(_ layer: SequentialLayer) -> [SequentialLayer] {
        [layer]
    }

    public static func buildBlock(_ parts: [SequentialLayer]...) -> [SequentialLayer] {
        parts.flatMap { $0 }
    }

    public static func buildOptional(_ part: [SequentialLayer]?) -> [SequentialLayer] {
        part ?? []
    }

    public static func buildEither(first part: [SequentialLayer]) -> [SequentialLayer] {
        part
    }

    public static func buildEither(second part: [SequentialLayer]) -> [SequentialLayer] {
        part
    }

    public static func buildArray(_ parts: [[SequentialLayer]]) -> [SequentialLayer] {
        parts.flatMap { $0 }
    }
}
