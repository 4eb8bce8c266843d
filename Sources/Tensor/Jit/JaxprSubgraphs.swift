/// A primitive whose parameters include the jaxprs of its bodies, printed as JAX prints
/// `scan`, `while` and `cond`.
///
/// NOTE: printing traces each body again, so its Swift side effects run once more. A
/// concrete tensor that a body captures is a constant of the body's jaxpr (before the
/// `;`), where JAX passes it to the loop as an operand (`num_consts`).
protocol JaxprSubgraphPrinting {
    /// Returns each parameter name with its jaxprs: one for a loop body, one per
    /// branch for `branches`.
    func jaxprSubgraphs() -> [(key: String, jaxprs: [Jaxpr])]
}

/// Traces `body` into a jaxpr whose inputs follow `ClosedBody` order: the explicit
/// inputs, then the captured values.
///
/// The body is traced on its own level. No capture scope of the calling code applies,
/// because the body resolves its captures through the scope where it was defined.
func traceBodyJaxpr(_ body: ClosedBody) -> Jaxpr {
    CaptureScope.$current.withValue(nil) {
        traceJaxpr(inputTypes: body.allInputTypes, context: body.name) { body($0) }
    }
}

extension Scan: JaxprSubgraphPrinting {
    func jaxprSubgraphs() -> [(key: String, jaxprs: [Jaxpr])] {
        [("jaxpr", [traceBodyJaxpr(body)])]
    }
}

extension WhileLoop: JaxprSubgraphPrinting {
    func jaxprSubgraphs() -> [(key: String, jaxprs: [Jaxpr])] {
        [("body_jaxpr", [traceBodyJaxpr(body)]), ("cond_jaxpr", [traceBodyJaxpr(condition)])]
    }
}

extension Switch: JaxprSubgraphPrinting {
    /// Returns the branches in index order, so the `false` branch of `cond` comes first, as in JAX.
    func jaxprSubgraphs() -> [(key: String, jaxprs: [Jaxpr])] {
        [("branches", branches.map(traceBodyJaxpr))]
    }
}
