/// A primitive whose jaxpr parameters depend on its input types, such as the axis
/// numbers of `dot_general`, which JAX prints as non-negative positions.
protocol JaxprParameterPrinting {
    /// Returns the `name=value` items printed between brackets after the primitive's name.
    func jaxprParameters(inputTypes: [TensorType]) -> [String]
}

/// Lays out a `Jaxpr` as JAX 0.10.2 prints it: variables named `a`, `b`, ..., `z`,
/// `ba`, `bb`, ... in order of appearance, each binder followed by its type, literals
/// as `value:type`, parameters as `name[key=value ...]`, and a line width of 80
/// characters with JAX's grouping of breaks.
enum JaxprPrinter {
    static func document(for jaxpr: Jaxpr) -> PrettyDocument {
        document(for: jaxpr, names: VariableNames())
    }

    /// The count of names given so far. The jaxprs of loop bodies and branches share
    /// it with the graph that contains them, so their variables continue its sequence.
    final class VariableNames {
        private(set) var count = 0

        func next() -> String {
            defer { count += 1 }
            return alphabeticName(count)
        }
    }

    private static func document(for jaxpr: Jaxpr, names: VariableNames) -> PrettyDocument {
        // Variable ids are unique only within one trace, and each body is its own trace.
        var local = [Int: String]()
        func name(_ variable: JaxprVariable) -> String {
            if let existing = local[variable.id] { return existing }
            let fresh = names.next()
            local[variable.id] = fresh
            return fresh
        }
        func binders(_ variables: [JaxprVariable]) -> PrettyDocument {
            variableList(variables.map { "\(name($0)):\($0.type)" }, separator: "")
        }
        func operand(_ atom: JaxprAtom) -> String {
            switch atom {
            case .variable(let variable): return name(variable)
            case .literal(let value): return "\(literalText(value)):\(value.type)"
            }
        }

        let constants = binders(jaxpr.constantVariables)
        let inputs = binders(jaxpr.inputVariables)
        var equations = [PrettyDocument]()
        for equation in jaxpr.equations {
            let left = binders(equation.outputs)
            let parameters = parameterList(equation, names: names)
            let operands = variableList(equation.inputs.map(operand), separator: "")
            equations.append(.concatenation([
                left, .text(" = "), .text(equation.primitive.name), parameters, .text(" "), operands,
            ]))
        }
        let outputNames = jaxpr.outputs.map(operand)
        let outputs = PrettyDocument.concatenation([
            .text("("), variableList(outputNames, separator: ","), .text(outputNames.count == 1 ? ",)" : ")"),
        ])

        let body = PrettyDocument.concatenation([
            .text("{ "), .text("lambda "), constants, .text("; "), inputs, .text(". "), .text("let"),
            .nest(2, .lineBreak(" ") + .joined(equations, separator: .lineBreak("; "))),
            .lineBreak(" "), .text("in "), outputs,
        ])
        return .group(.nest(2, body)) + .text(" }")
    }

    /// Names joined by `separator` and a space that becomes an indented newline when
    /// the line is full.
    private static func variableList(_ names: [String], separator: String) -> PrettyDocument {
        let items = names.map { PrettyDocument.text($0) }
        return .nest(2, .group(.joined(items, separator: .text(separator) + .group(.lineBreak(" ")))))
    }

    /// `[k=v k=v]`, each pair on its own line when they do not fit, or nothing when the
    /// primitive has no parameters.
    private static func parameterList(_ equation: JaxprEquation, names: VariableNames) -> PrettyDocument {
        let texts: [String]
        if let printing = equation.primitive as? any JaxprParameterPrinting {
            texts = printing.jaxprParameters(inputTypes: equation.inputs.map(\.type))
        } else {
            texts = splitParameters(equation.primitive.parameterDescription)
        }
        var items = texts.map { (key: $0, document: PrettyDocument.text($0)) }
        if let subgraphs = equation.primitive as? any JaxprSubgraphPrinting {
            for (key, jaxprs) in subgraphs.jaxprSubgraphs() {
                // The jaxprs replace a plain parameter of the same name, such as `branches=2`.
                items.removeAll { $0.key.hasPrefix(key + "=") }
                items.append((key + "=", subgraphParameter(key, jaxprs, names: names)))
            }
            // JAX prints parameters sorted by name.
            items.sort { $0.key < $1.key }
        }
        guard !items.isEmpty else { return .empty }
        let pairs = PrettyDocument.joined(items.map(\.document), separator: .lineBreak(" "))
        return .group(.concatenation([
            .nest(2, .concatenation([.text("["), .lineBreak(""), pairs])),
            .lineBreak(""), .text("]"),
        ]))
    }

    /// `key={ lambda ... }` for one body, or `key=(` followed by one jaxpr per line and `)`
    /// for the branches of a `cond`.
    private static func subgraphParameter(_ key: String, _ jaxprs: [Jaxpr], names: VariableNames) -> PrettyDocument {
        let documents = jaxprs.map { document(for: $0, names: names) }
        if key != "branches", documents.count == 1 {
            return .text("\(key)=") + documents[0]
        }
        return .concatenation([
            .text("\(key)=("),
            .nest(2, .lineBreak("") + .joined(documents, separator: .lineBreak(" "))),
            .lineBreak(""), .text(")"),
        ])
    }

    /// Splits a parameter description into its `key=value` items at the spaces outside
    /// brackets and parentheses.
    static func splitParameters(_ description: String) -> [String] {
        var items = [String]()
        var current = ""
        var depth = 0
        for character in description {
            switch character {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
            if character == " " && depth == 0 {
                if !current.isEmpty { items.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { items.append(current) }
        return items
    }

    /// JAX's variable name for index `n`: `a` to `z`, then `ba`, `bb`, ... (base 26 with
    /// `a` as the zero digit).
    static func alphabeticName(_ n: Int) -> String {
        var remaining = n
        var letters = [Character]()
        repeat {
            letters.append(Character(Unicode.Scalar(UInt8(97 + remaining % 26))))
            remaining /= 26
        } while remaining > 0
        return String(letters.reversed())
    }

    /// Formats a scalar as Python prints the value of a JAX literal: float32 values
    /// widened to a double (`0.10000000149011612`), and `True` or `False` for bools.
    static func literalText(_ value: Tensor) -> String {
        switch value.dtype {
        case .float32: return Double(value.scalars(as: Float.self)[0]).description
        case .int32: return value.scalars(as: Int32.self)[0].description
        case .uint32: return value.scalars(as: UInt32.self)[0].description
        case .uint8: return value.scalars(as: UInt8.self)[0].description
        case .bool: return value.scalars(as: Bool.self)[0] ? "True" : "False"
        }
    }
}
