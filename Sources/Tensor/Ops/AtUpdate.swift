/// Functional updates in the style of JAX's `x.at[i].set(v)`.
///
/// `x.at[i].set(v)` returns a new tensor equal to `x` except at `i`; `x` itself never
/// changes. When `x`'s storage has no other owner (for example `x` is not used again,
/// or was passed with `consume`), the update is written into that storage instead of
/// a copy. Out-of-bounds semantics follow JAX. Integer positions and index tensors
/// wrap negative values once, and positions still out of bounds are dropped from the
/// update. Reads clamp instead (see `take`).
extension Tensor {
    public var at: TensorUpdateIndexer { TensorUpdateIndexer(box: TensorBox(self)) }
}

/// Holds the tensor being updated so the update can take ownership of it.
final class TensorBox {
    var tensor: Tensor?

    init(_ tensor: Tensor) {
        self.tensor = tensor
    }
}

/// The result of `x.at`: subscript it with the positions to update.
public struct TensorUpdateIndexer {
    let box: TensorBox

    /// The positions to update: one component per leading axis (an `Int`, a range, or
    /// an integer tensor); several components combine as an outer product.
    public subscript(_ components: any TensorIndexConvertible...) -> TensorUpdate {
        TensorUpdate(box: box, components: components.map(\.tensorIndex))
    }
}

/// A pending update of the positions chosen by `x.at[...]`.
public struct TensorUpdate {
    let box: TensorBox
    let components: [TensorIndex]

    /// The tensor with `values` (broadcast to the selected region) written at the positions.
    public func set(_ values: Tensor) -> Tensor { apply(.set, values) }

    /// The tensor with `values` added at the positions; duplicate positions accumulate.
    public func add(_ values: Tensor) -> Tensor { apply(.add, values) }

    /// The tensor with the positions multiplied by `values`.
    public func multiply(_ values: Tensor) -> Tensor { apply(.multiply, values) }

    /// The tensor with each position replaced by its minimum with `values`.
    public func min(_ values: Tensor) -> Tensor { apply(.min, values) }

    /// The tensor with each position replaced by its maximum with `values`.
    public func max(_ values: Tensor) -> Tensor { apply(.max, values) }

    public func set<S: ScalarOperand>(_ value: S) -> Tensor { apply(.set, scalar(value)) }
    public func add<S: ScalarOperand>(_ value: S) -> Tensor { apply(.add, scalar(value)) }
    public func multiply<S: ScalarOperand>(_ value: S) -> Tensor { apply(.multiply, scalar(value)) }
    public func min<S: ScalarOperand>(_ value: S) -> Tensor { apply(.min, scalar(value)) }
    public func max<S: ScalarOperand>(_ value: S) -> Tensor { apply(.max, scalar(value)) }

    /// The values at the positions (`x.at[i].get()`), reading with clamping.
    public func get() -> Tensor {
        Indexing.read(tensor, components)
    }

    /// The tensor being updated. An update takes it out of the box so that its storage
    /// can be uniquely referenced, which leaves nothing for a second update.
    private var tensor: Tensor {
        guard let tensor = box.tensor else {
            preconditionFailure(
                "at[]: this x.at[...] was already used for an update; write x.at[...] again for each update")
        }
        return tensor
    }

    /// The update value as a tensor. A fractional number is kept as float32, so that
    /// `apply` converts it as `astype` does (NaN becomes 0 in an integer tensor).
    private func scalar<S: ScalarOperand>(_ value: S) -> Tensor {
        if !value.isIntegral { return Tensor(Float(value.operandValue)) }
        return Tensor.fromDoubles([value.operandValue], shape: [], dtype: tensor.dtype)
    }

    private func apply(_ mode: ScatterMode, _ values: Tensor) -> Tensor {
        var operand = tensor
        box.tensor = nil
        precondition(
            components.count <= operand.rank,
            "at[]: \(components.count) indices for a tensor of shape \(formatShape(operand.shape))")
        let values = values.astype(operand.dtype)
        let (offsets, regionShape) = flatOffsets(operand.shape)
        let rest = Array(operand.shape[components.count...])
        let rows = operand.shape[..<components.count].reduce(1, *)
        let target = regionShape + rest
        let fits = values.rank <= target.count
            && zip(values.shape.reversed(), target.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
        precondition(
            fits,
            "at[].\(mode.methodName): values of shape \(formatShape(values.shape)) cannot be broadcast to the selected region of shape \(formatShape(target))")
        let updates = values.broadcast(to: target)
        let primitive = Scatter(mode: mode)

        if operand.isConcrete && offsets.isConcrete && updates.isConcrete {
            if !isKnownUniquelyReferenced(&operand.storage) {
                operand.storage = operand.storage!.copy()
            }
            let shape = operand.shape
            var flat = Tensor(shape: [rows] + rest, dtype: operand.dtype, storage: operand.storage!)
            _ = primitive.outputTypes([flat.type, offsets.type, updates.type])
            operand.storage = nil
            primitive.apply(to: &flat, indices: offsets, updates: updates)
            return flat.reshaped(shape)
        }
        let flat = operand.reshaped([rows] + rest)
        return bind1(primitive, [flat, offsets, updates]).reshaped(operand.shape)
    }

    /// Row offsets into the leading indexed axes flattened into one, with -1 for
    /// positions out of bounds, and the shape of the selected region.
    private func flatOffsets(_ shape: [Int]) -> (Tensor, [Int]) {
        let leading = Array(shape[..<components.count])
        let strides = ShapeRules.strides(leading)
        var parts = [(positions: Tensor, valid: Tensor?)]()
        var regionShape = [Int]()
        for (axis, component) in components.enumerated() {
            switch component {
            case .position(let value):
                let position = value < 0 ? value + shape[axis] : value
                let inBounds = position >= 0 && position < shape[axis]
                parts.append((Tensor(Int32(inBounds ? position : -1)), nil))
            case .range, .tensor:
                var positions: Tensor
                switch Indexing.resolve(component, extent: shape[axis], axis: axis, operation: "at[]") {
                case .slice(let start, let end, let step):
                    positions = Tensor.arange(start, end, step: step)
                case .positions(let tensor):
                    positions = tensor.astype(.int32)
                case .position(let position):
                    positions = Tensor(Int32(position))
                }
                positions = select(positions .< 0, positions + shape[axis], positions)
                let valid = (positions .>= 0) .&& (positions .< shape[axis])
                // Give each component its own axes (outer product).
                let before = regionShape.count
                regionShape += positions.shape
                let placed = positions.reshaped([Int](repeating: 1, count: before) + positions.shape)
                let placedValid = valid.reshaped([Int](repeating: 1, count: before) + positions.shape)
                parts.append((placed, placedValid))
            }
        }

        var offsets = Tensor.zeros([], dtype: .int32)
        var valid = Tensor.full([], 1, dtype: .bool)
        for (axis, part) in parts.enumerated() {
            var positions = part.positions
            var partValid = part.valid ?? (positions .>= 0)
            let padding = regionShape.count - positions.rank
            positions = positions.reshaped(positions.shape + [Int](repeating: 1, count: padding))
            partValid = partValid.reshaped(partValid.shape + [Int](repeating: 1, count: padding))
            offsets = offsets + positions * strides[axis]
            valid = valid .&& partValid
        }
        let result = select(valid, offsets, Tensor(Int32(-1))).broadcast(to: regionShape)
        return (result, regionShape)
    }
}
