/// A mismatch between a module and its variables, or between submodule names,
/// found while `initialize` or `apply` runs a module.
///
/// `initialize` and `apply` stop with the error's description. `tryInitialize`
/// and `tryApply` throw the first error instead. Paths are relative to the
/// collection, so the kernel of the submodule `Dense2` is `Dense2/kernel` and
/// a parameter of the root module is just its name.
public enum ModuleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The variables passed to `apply` have no parameter at `path`.
    /// `existingKeys` lists the keys at the deepest part of the path that exists.
    case parameterNotFound(path: String, existingKeys: [String])

    /// The parameter at `path` has `actual` shape but the module declares `expected`.
    case parameterShapeMismatch(path: String, expected: [Int], actual: [Int])

    /// The parameter at `path` has `actual` dtype but the module declares `expected`.
    case parameterDTypeMismatch(path: String, expected: DType, actual: DType)

    /// Two submodules, or a submodule and a parameter, use `name` in the module
    /// at `parentPath` (empty for the root module).
    case duplicateName(name: String, parentPath: String)

    public var description: String {
        switch self {
        case .parameterNotFound(let path, let existingKeys):
            return "no parameter '\(path)' in the 'params' collection; the keys at the deepest existing level are "
                + "\(existingKeys). Pass the variables that initialize returned for this model."
        case .parameterShapeMismatch(let path, let expected, let actual):
            return "parameter '\(path)' has shape \(formatShape(actual)) but the module expects "
                + "\(formatShape(expected)). "
                + "The variables belong to another model or were initialized for another input size."
        case .parameterDTypeMismatch(let path, let expected, let actual):
            return "parameter '\(path)' has dtype \(actual) but the module expects \(expected)."
        case .duplicateName(let name, let parentPath):
            let parent = parentPath.isEmpty ? "the root module" : "'\(parentPath)'"
            return "the name '\(name)' is used twice in \(parent). Give each submodule and parameter of a module "
                + "its own name; to share weights, store the submodule in a property and call that property again."
        }
    }
}
