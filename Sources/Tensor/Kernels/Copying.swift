/// Copies that rearrange elements: transposes, broadcasts, slices, concatenation.
///
/// Elements are moved as raw bit patterns of their width (`UInt32` for 4-byte dtypes,
/// `UInt8` for 1-byte dtypes), so one kernel serves every dtype of that width.
enum Copying {
    /// Writes `out[i0, i1, ...] = source[offset + i0 * strides[0] + i1 * strides[1] + ...]`
    /// for every index of `shape`, into contiguous `out`.
    ///
    /// Invariant: every computed source offset lies inside the source buffer.
    static func strided<T>(
        _ source: UnsafePointer<T>, offset: Int, strides: [Int], shape: [Int], _ out: UnsafeMutablePointer<T>
    ) {
        let count = shape.reduce(1, *)
        if count == 0 { return }
        let rank = shape.count
        if rank == 0 {
            out[0] = source[offset]
            return
        }
        let inner = shape[rank - 1]
        let innerStride = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var sourceOffset = offset
        var outOffset = 0
        while outOffset < count {
            if innerStride == 1 {
                (out + outOffset).update(from: source + sourceOffset, count: inner)
            } else {
                for j in 0..<inner { out[outOffset + j] = source[sourceOffset + j * innerStride] }
            }
            outOffset += inner

            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                sourceOffset += strides[axis]
                if index[axis] < shape[axis] { break }
                sourceOffset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    static func permute<T>(_ input: Tensor, into out: inout Tensor, permutation: [Int], as type: T.Type) {
        let inputStrides = ShapeRules.strides(input.shape)
        let strides = permutation.map { inputStrides[$0] }
        let shape = out.shape
        input.withElements(T.self) { source in
            out.withElements(T.self) { destination in
                strided(source, offset: 0, strides: strides, shape: shape, destination)
            }
        }
    }

    static func broadcast<T>(_ input: Tensor, into out: inout Tensor, as type: T.Type) {
        // One value per row (shape [..., 1]) repeated along the last axis.
        let inner = out.shape.last ?? 1
        if inner > 0, input.size * inner == out.size, ElementwiseLoops.isColumn(input.shape, of: out.shape) {
            input.withElements(T.self) { source in
                out.withElements(T.self) { destination in
                    for row in 0..<input.size {
                        (destination + row * inner).update(repeating: source[row], count: inner)
                    }
                }
            }
            return
        }
        let strides = ElementwiseLoops.broadcastStrides(input.shape, to: out.shape)
        let shape = out.shape
        input.withElements(T.self) { source in
            out.withElements(T.self) { destination in
                strided(source, offset: 0, strides: strides, shape: shape, destination)
            }
        }
    }

    /// Calls `body` with the element width type of `dtype`, so a copy kernel is written once.
    static func byWidth(_ dtype: DType, _ body4: () -> Void, _ body1: () -> Void) {
        if dtype.byteSize == 4 { body4() } else { body1() }
    }
}
