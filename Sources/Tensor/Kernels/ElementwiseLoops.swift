/// Elementwise loops over contiguous buffers, with NumPy broadcasting.
///
/// Invariant for every loop here: the pointers address contiguous row-major buffers
/// holding exactly `shape.reduce(1, *)` elements of their shapes, and `out` does not
/// overlap an input unless it is the same buffer with the same shape.
enum ElementwiseLoops {
    @inline(__always)
    static func unary<A, R>(
        _ a: UnsafePointer<A>, _ out: UnsafeMutablePointer<R>, count: Int, _ op: (A) -> R
    ) {
        for i in 0..<count {
            out[i] = op(a[i])
        }
    }

    @inline(__always)
    static func binary<A, B, R>(
        _ a: UnsafePointer<A>, _ aShape: [Int],
        _ b: UnsafePointer<B>, _ bShape: [Int],
        _ out: UnsafeMutablePointer<R>, _ outShape: [Int],
        _ op: (A, B) -> R
    ) {
        let count = outShape.reduce(1, *)
        let aCount = aShape.reduce(1, *)
        let bCount = bShape.reduce(1, *)

        if aCount == count && bCount == count {
            for i in 0..<count { out[i] = op(a[i], b[i]) }
            return
        }
        if aCount == 1 && bCount == count {
            let scalar = a[0]
            for i in 0..<count { out[i] = op(scalar, b[i]) }
            return
        }
        if bCount == 1 && aCount == count {
            let scalar = b[0]
            for i in 0..<count { out[i] = op(a[i], scalar) }
            return
        }
        if count == 0 { return }

        // One operand of the full shape and the other one value per row (shape [..., 1]),
        // such as `x - max(x, keepDims: true)`: no index arithmetic.
        let inner = outShape[outShape.count - 1]
        let rowCount = count / max(inner, 1)
        if inner > 0 && aCount == count && bCount == rowCount && isColumn(bShape, of: outShape) {
            for row in 0..<rowCount {
                let scalar = b[row]
                let base = row * inner
                for j in 0..<inner { out[base + j] = op(a[base + j], scalar) }
            }
            return
        }
        if inner > 0 && bCount == count && aCount == rowCount && isColumn(aShape, of: outShape) {
            for row in 0..<rowCount {
                let scalar = a[row]
                let base = row * inner
                for j in 0..<inner { out[base + j] = op(scalar, b[base + j]) }
            }
            return
        }

        let aStrides = broadcastStrides(aShape, to: outShape)
        let bStrides = broadcastStrides(bShape, to: outShape)
        let rank = outShape.count
        let aInner = aStrides[rank - 1]
        let bInner = bStrides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var aOffset = 0
        var bOffset = 0
        var outOffset = 0

        while outOffset < count {
            if aInner == 1 && bInner == 1 {
                for j in 0..<inner { out[outOffset + j] = op(a[aOffset + j], b[bOffset + j]) }
            } else if aInner == 1 {
                let scalar = b[bOffset]
                for j in 0..<inner { out[outOffset + j] = op(a[aOffset + j], scalar) }
            } else if bInner == 1 {
                let scalar = a[aOffset]
                for j in 0..<inner { out[outOffset + j] = op(scalar, b[bOffset + j]) }
            } else {
                let sa = a[aOffset]
                let sb = b[bOffset]
                for j in 0..<inner { out[outOffset + j] = op(sa, sb) }
            }
            outOffset += inner

            // Advance the multi-index over all axes but the last.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if index[axis] < outShape[axis] { break }
                aOffset -= aStrides[axis] * outShape[axis]
                bOffset -= bStrides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    @inline(__always)
    static func ternary<A, B, C, R>(
        _ a: UnsafePointer<A>, _ aShape: [Int],
        _ b: UnsafePointer<B>, _ bShape: [Int],
        _ c: UnsafePointer<C>, _ cShape: [Int],
        _ out: UnsafeMutablePointer<R>, _ outShape: [Int],
        _ op: (A, B, C) -> R
    ) {
        let count = outShape.reduce(1, *)
        if aShape == outShape && bShape == outShape && cShape == outShape {
            for i in 0..<count { out[i] = op(a[i], b[i], c[i]) }
            return
        }
        // Operands of the full shape or of one element, such as `where(mask, 0, x)`: one
        // step per element along each, with no index arithmetic.
        func step(_ shape: [Int]) -> Int? { shape == outShape ? 1 : (shape.reduce(1, *) == 1 ? 0 : nil) }
        if let aStep = step(aShape), let bStep = step(bShape), let cStep = step(cShape) {
            for i in 0..<count { out[i] = op(a[i * aStep], b[i * bStep], c[i * cStep]) }
            return
        }
        let aStrides = broadcastStrides(aShape, to: outShape)
        let bStrides = broadcastStrides(bShape, to: outShape)
        let cStrides = broadcastStrides(cShape, to: outShape)
        let outStrides = ShapeRules.strides(outShape)
        for i in 0..<count {
            var rest = i
            var ia = 0
            var ib = 0
            var ic = 0
            for axis in 0..<outShape.count {
                let coordinate = rest / outStrides[axis]
                rest -= coordinate * outStrides[axis]
                ia += coordinate * aStrides[axis]
                ib += coordinate * bStrides[axis]
                ic += coordinate * cStrides[axis]
            }
            out[i] = op(a[ia], b[ib], c[ic])
        }
    }

    /// Returns whether `shape` is `outShape` with its last extent 1, possibly with fewer
    /// leading axes: one value per row of `outShape`.
    static func isColumn(_ shape: [Int], of outShape: [Int]) -> Bool {
        guard let last = shape.last, last == 1, outShape.count >= shape.count else { return false }
        let offset = outShape.count - shape.count
        for axis in 0..<(shape.count - 1) where shape[axis] != outShape[axis + offset] { return false }
        return true
    }

    /// Strides of `shape` viewed in the index space of the broadcast `outShape`:
    /// zero along broadcast axes.
    static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let own = ShapeRules.strides(shape)
        let offset = outShape.count - shape.count
        var result = [Int](repeating: 0, count: outShape.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            result[axis + offset] = own[axis]
        }
        return result
    }
}
