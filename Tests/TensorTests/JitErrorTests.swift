import Testing
@testable import Tensor

/// Reading a value while tracing stops the process with a message that names the
/// jitted function and the ways around it. Each case runs in a child process.
@Suite struct JitErrorTests {
    private func expectMessage(
        _ result: ExitTest.Result?, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        for part in parts {
            #expect(message.contains(part), "standard error lacks \"\(part)\": \(message.prefix(400))", sourceLocation: sourceLocation)
        }
    }

    @Test func floatValueInsideNamedJit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let flip = jit({ (x: Tensor) in x.floatValue > 0 ? x : -x }, name: "flipNegative")
            _ = flip(Tensor(Float(1)))
        }
        expectMessage(result, contains: [
            "cannot read the value of a traced tensor of type f32[]", "jit of flipNegative",
            "make that argument static", "x.shape", "where(_:_:_:)",
        ])
    }

    @Test func boolConversionNamesSourceLocation() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let positive = jit { (x: Tensor) in Bool(x .> 0) ? x : Tensor.zeros(like: x) }
            _ = positive(Tensor(Float(2)))
        }
        expectMessage(result, contains: ["bool[]", "jit of the function at", "JitErrorTests.swift"])
    }

    @Test func itemUnderGradInsideJitNamesJit() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let slope: (Tensor) -> Tensor = grad { (x: Tensor) in x.item(as: Float.self) > 0 ? x * x : x }
            _ = jit(slope, name: "slope")(Tensor(Float(2)))
        }
        expectMessage(result, contains: ["jit of slope", "make that argument static"])
    }

    @Test func makeJaxprNamesItself() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = makeJaxpr({ (x: Tensor) in Tensor(Float(x.floatValue)) })(Tensor(Float(2)))
        }
        expectMessage(result, contains: ["while tracing makeJaxpr"])
    }

    @Test func escapedTracerIsRejected() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            nonisolated(unsafe) var leaked: Tensor?
            let keep = jit { (x: Tensor) -> Tensor in
                leaked = x * 2
                return x
            }
            _ = keep(Tensor(Float(1)))
            _ = leaked! + 1
        }
        expectMessage(result, contains: ["add", "used after the traced function returned"])
    }
}
