// How setup-style submodules get their property names.
//
// Swift has no hook that runs when a struct property is assigned, so a module
// value cannot learn the name of the property that stores it. Instead, when a
// module is entered, the scope lists its stored properties with `Mirror` and
// keeps a fingerprint of every property value that is a module:
//
// - a property holding a module is declared under the property's label;
// - an optional module counts when it is non-nil, under the same label;
// - an array of modules declares element i as `label_i`, as Flax names list
//   attributes (`layers_0`, `layers_1`).
//
// When the body then calls an unnamed submodule, the scope compares its
// fingerprint with the declared ones and, on a match, names the call after
// that property. A fingerprint is the dynamic type plus every stored field,
// read recursively through `Mirror`. Objects count by identity, and closures
// all look alike. Library modules (`Dense`, `Sequential`) carry a
// `ModuleIdentity` drawn at creation, so two separately created `Dense(128)`
// have different fingerprints while copies of one value keep the same one.
//
// Limits of the matching:
// - Properties holding equal values that carry no identity (a user module
//   whose fields are all plain configuration, or one value stored twice) are
//   told apart only by order: a call takes the first such property that this
//   call of the parent has not used yet, and once all are used, the first.
//   Give such submodules explicit names when they are called out of
//   declaration order or shared.
// - A copy changed before the call (`var d = dense; d.features = 3; d(x)`)
//   no longer matches and is named like a compact submodule (`Dense_0`).
// - Only stored properties are visible. Submodules returned by computed
//   properties, kept in dictionaries, tuples or nested structs that are not
//   modules, are named like compact submodules. Property wrappers and lazy
//   properties appear under their storage names (`_dense`).
// - Every entry into a module reads its properties again, so the cost grows
//   with the size of the module values. No cache is kept.

import Synchronization

/// A submodule stored in a property of its parent module.
struct DeclaredSubmodule: Sendable {
    /// The name the submodule gets: the property label, or `label_i` for
    /// element i of an array property.
    let name: String

    /// The fingerprint of the property value.
    let fingerprint: ModuleFingerprint
}

/// The dynamic type and the stored fields of a module value, as text.
struct ModuleFingerprint: Hashable, Sendable {
    let text: String

    init(_ module: Any) {
        var text = ""
        appendFingerprint(of: module, to: &text)
        self.text = text
    }

    private init(text: String) {
        self.text = text
    }

    /// The fingerprint of calls in a parent that declares no submodule properties
    /// (a compact-style module): no declared property can match, and automatic
    /// names are unique, so the fingerprint is never compared and need not be
    /// computed, which saves a reflection walk per submodule call.
    static let notCompared = ModuleFingerprint(text: "")
}

/// Lists the module-valued stored properties of `parent`, in declaration order.
func declaredSubmodules(of parent: Any) -> [DeclaredSubmodule] {
    var declared = [DeclaredSubmodule]()
    for child in Mirror(reflecting: parent).children {
        guard let label = child.label else { continue }
        if let module = child.value as? any Module {
            declared.append(DeclaredSubmodule(name: label, fingerprint: ModuleFingerprint(module)))
        } else if let modules = child.value as? [any Module] {
            for (index, module) in modules.enumerated() {
                declared.append(DeclaredSubmodule(name: "\(label)_\(index)", fingerprint: ModuleFingerprint(module)))
            }
        }
    }
    return declared
}

private func appendFingerprint(of value: Any, to text: inout String) {
    let mirror = Mirror(reflecting: value)
    text += String(reflecting: type(of: value))

    if mirror.displayStyle == .class {
        // Objects count by identity; walking their fields could loop.
        text += "@\(ObjectIdentifier(value as AnyObject).hashValue)"
        return
    }
    if mirror.children.isEmpty {
        text += "=" + String(reflecting: value)
        return
    }
    text += "("
    for child in mirror.children {
        text += (child.label ?? "_") + ":"
        appendFingerprint(of: child.value, to: &text)
        text += ","
    }
    text += ")"
}

/// A number unique to each created module value within the process, kept by
/// copies, so setup-style naming can tell apart properties with equal
/// configuration.
struct ModuleIdentity: Hashable, Sendable {
    let value: UInt64

    init() {
        value = moduleIdentityCounter.add(1, ordering: .relaxed).newValue
    }
}

private let moduleIdentityCounter = Atomic<UInt64>(0)
