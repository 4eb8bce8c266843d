/// `select(condition, x, y)`: `x` where the bool condition holds, else `y`, with
/// NumPy broadcasting of all three operands.
struct Select: DestinationPassingPrimitive {
    var name: String { "select_n" }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] {
        let (c, x, y) = (inputs[0], inputs[1], inputs[2])
        precondition(c.dtype == .bool, "where: the condition must be bool, got \(c.dtype)")
        precondition(x.dtype == y.dtype, "where: branches have dtypes \(x.dtype) and \(y.dtype)")
        let shape = ShapeRules.broadcast(
            ShapeRules.broadcast(c.shape, x.shape, operation: "where"), y.shape, operation: "where")
        return [TensorType(shape: shape, dtype: x.dtype)]
    }

    var isPointwise: Bool { true }

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        var out = outputs[0]
        switch out.dtype {
        case .float32: run(Float.self, inputs, &out)
        case .int32: run(Int32.self, inputs, &out)
        case .uint32: run(UInt32.self, inputs, &out)
        case .uint8: run(UInt8.self, inputs, &out)
        case .bool: run(Bool.self, inputs, &out)
        }
    }

    private func run<T>(_ type: T.Type, _ inputs: [Tensor], _ out: inout Tensor) {
        let (c, x, y) = (inputs[0], inputs[1], inputs[2])
        c.withElements(Bool.self) { pc in
            x.withElements(T.self) { px in
                y.withElements(T.self) { py in
                    out.withElements(T.self) { po in
                        ElementwiseLoops.ternary(pc, c.shape, px, x.shape, py, y.shape, po, out.shape) { $0 ? $1 : $2 }
                    }
                }
            }
        }
    }

    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        let (c, x, y, g) = (inputs[0], inputs[1], inputs[2], cotangents[0])
        guard x.dtype.isFloatingPoint else { return [nil, nil, nil] }
        let zero = Tensor.zeros([], dtype: g.dtype)
        let dx = sumToShape(select(c, g, zero), x.shape)
        let dy = sumToShape(select(c, zero, g), y.shape)
        return [nil, dx, dy]
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        ([bind1(self, Batching.alignForBroadcast(inputs, axes: axes))], [0])
    }
}
