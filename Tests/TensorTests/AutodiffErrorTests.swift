import Testing
@testable import Tensor

/// Programmer errors in the transformations stop the process with a message that names
/// the problem. Each test runs the failing call in a child process (an exit test) and
/// checks the message on its standard error.
@Suite struct AutodiffErrorTests {
    @Test func nonScalarOutputNamesShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (x: Tensor) in x * 2 })(Tensor([1, 2] as [Float]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("grad: the function must return a scalar"))
        #expect(message.contains("shape (2,)"))
    }

    @Test func nonScalarOutputOfArgnumsForm() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (a: Tensor, b: Tensor) in a * b }, argnums: 0)(Tensor.ones([2, 3]), Tensor.ones([3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("shape (2, 3)"))
    }

    @Test func integerOutputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (x: Tensor) in x.argmax() })(Tensor([1, 2] as [Float]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("must return a float32 scalar, got int32"))
    }

    @Test func integerInputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (x: Tensor) in x.astype(.float32).sum() })(Tensor([1, 2] as [Int32]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("argument 0 has dtype int32"))
        #expect(message.contains("float32"))
    }

    @Test func integerLeafOfTreeNamesPath() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let params: [String: [String: Tensor]] = ["Dense1": ["kernel": Tensor([1] as [Float]), "steps": Tensor([1] as [Int32])]]
            _ = grad({ (params: [String: [String: Tensor]]) in params["Dense1"]!["kernel"]!.sum() })(params)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("'Dense1/steps' has dtype int32"))
    }

    @Test func integerArgnumsInputStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (a: Tensor, b: Tensor) in (a * b.astype(.float32)).sum() }, argnums: 0, 1)(
                Tensor([1] as [Float]), Tensor([2] as [Int32]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("argument 1 has dtype int32"))
        #expect(message.contains("leave the argument out of argnums"))
    }

    @Test func argnumsOutOfRangeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (a: Tensor, b: Tensor) in (a * b).sum() }, argnums: 0, 2)(Tensor(Float(1)), Tensor(Float(2)))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("argnums [0, 2] are out of range for a function of 2 arguments"))
    }

    @Test func nonTreeArgnumsArgumentStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = grad({ (a: Tensor, scale: Float) in (a * scale).sum() }, argnums: 1)(Tensor(Float(1)), 2)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("argument 1 of type Float is differentiated but does not conform to Tree"))
    }

    @Test func treeMapStructureMismatchNamesPath() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a: [String: [String: Tensor]] = ["Dense1": ["kernel": Tensor(Float(1)), "bias": Tensor(Float(2))]]
            let b: [String: [String: Tensor]] = ["Dense1": ["kernel": Tensor(Float(1))]]
            _ = treeMap(a, b) { $0 + $1 }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("treeMap: the trees differ in structure at 'Dense1'"))
        #expect(message.contains("keys [\"bias\"] only in the first"))
    }

    @Test func treeMapThreeTreesMismatchStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a: [String: Tensor] = ["w": Tensor(Float(1))]
            let c: [String: Tensor] = ["v": Tensor(Float(1))]
            _ = treeMap(a, a, c) { $0 + $1 + $2 }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("treeMap: the trees differ in structure at the root"))
    }

    @Test func unflattenWithWrongLeafCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (_, definition) = treeFlatten(["a": Tensor(Float(1)), "b": Tensor(Float(2))])
            _ = treeUnflatten(definition, [Tensor(Float(1))])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("treeUnflatten: 1 leaves for a structure with 2 leaves"))
    }

    @Test func vjpCotangentStructureMismatchStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (_, pullback) = vjp({ (x: Tensor) -> [String: Tensor] in ["y": x * 2] }, Tensor(Float(1)))
            _ = pullback(["z": Tensor(Float(1))])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("vjp: the cotangent differs in structure from the output"))
    }

    @Test func vjpCotangentShapeMismatchStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let (_, pullback) = vjp({ (x: Tensor) in x * 2 }, Tensor([1, 2] as [Float]))
            _ = pullback(Tensor([1, 2, 3] as [Float]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("cotangent 0 has shape (3,) but the output has shape (2,)"))
    }

    @Test func customVJPWrongCotangentShapeStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let broken = customVJP(
                forward: { (x: Tensor) in (output: x, residuals: [Tensor]()) },
                backward: { _, cotangent in cotangent.sum() })
            _ = grad({ (x: Tensor) in broken(x).sum() })(Tensor([1, 2] as [Float]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("customVJP: the backward rule returned a cotangent of shape () for an input of shape (2,)"))
    }

    @Test func readingValueUnderVMapNamesTransformation() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ inputs in [Tensor(inputs[0].floatValue)] }, inAxes: [0])([Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("cannot read the value of a traced tensor of type f32[] while tracing vmap"))
        #expect(message.contains("make that argument static"))
    }

    @Test func boolOfTracedTensorUnderVMapStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = vmapFlat({ inputs in Bool(inputs[0] .> 0) ? inputs : inputs }, inAxes: [0])([Tensor.zeros([3])])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("while tracing vmap"))
    }
}
