/// Returns the parameters moved by the updates: `p + u` for every leaf, converted back to the
/// parameter's dtype (Optax's `apply_updates`). Stops when the trees differ in
/// structure.
public func applyUpdates<Params: Tree>(_ params: Params, _ updates: Params) -> Params {
    treeMap(params, updates) { parameter, update in
        (parameter + update).astype(parameter.dtype)
    }
}
