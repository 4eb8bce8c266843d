import Testing
@testable import Tensor

/// Programmer errors stop the process with a message that names the operation and the
/// offending shapes. Each case runs in a child process through a Swift Testing exit test.
@Suite struct ErrorExitTests {
    /// Checks that the child's standard error contains each of `parts`.
    private func expectMessage(
        _ result: ExitTest.Result?, contains parts: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        for part in parts {
            #expect(message.contains(part), "standard error lacks \"\(part)\": \(message.prefix(300))", sourceLocation: sourceLocation)
        }
    }

    @Test func matmulShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([32, 784]), Tensor.zeros([128, 10]))
        }
        expectMessage(result, contains: ["matmul", "(32, 784)", "(128, 10)", "not aligned"])
    }

    @Test func matmulTransposedShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([32, 784]), Tensor.zeros([10, 128]), transposeA: false, transposeB: true)
        }
        expectMessage(result, contains: ["matmul", "(32, 784)", "(10, 128)"])
    }

    @Test func matmulBatchMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3, 4]), Tensor.zeros([5, 4, 6]))
        }
        expectMessage(result, contains: ["matmul", "(2,)", "(5,)", "broadcast"])
    }

    @Test func addBroadcastMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        expectMessage(result, contains: ["add", "(2, 3)", "(4,)", "cannot be broadcast"])
    }

    @Test func broadcastToMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]).broadcast(to: [2, 4])
        }
        expectMessage(result, contains: ["broadcast", "(3,)", "(2, 4)"])
    }

    @Test func reshapeSizeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4])
        }
        expectMessage(result, contains: ["reshape", "(2, 3)", "(4,)"])
    }

    @Test func reshapeInferredSizeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, -1])
        }
        expectMessage(result, contains: ["reshape", "(2, 3)", "(4, -1)"])
    }

    @Test func sumAxisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(axis: 2)
        }
        expectMessage(result, contains: ["sum", "axis 2", "(2, 3)"])
    }

    @Test func argmaxAxisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).argmax(axis: -3)
        }
        expectMessage(result, contains: ["argmax", "axis -3", "(2, 3)"])
    }

    @Test func concatenateShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concatenate([Tensor.zeros([2, 3]), Tensor.zeros([3, 4])])
        }
        expectMessage(result, contains: ["concatenate", "(2, 3)", "(3, 4)"])
    }

    @Test func stackShapeMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = stack([Tensor.zeros([2]), Tensor.zeros([3])])
        }
        expectMessage(result, contains: ["stack", "(2,)", "(3,)"])
    }

    @Test func scalarsWrongDType() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2]).scalars(as: Int32.self)
        }
        expectMessage(result, contains: ["scalars(as:)", "float32", "int32", "astype"])
    }

    @Test func subscriptIntegerOutOfBounds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.arange(5)
            let position = 7
            _ = x[position]
        }
        expectMessage(result, contains: ["subscript", "index 7", "size 5"])
    }

    @Test func subscriptLiteralOutOfBounds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.arange(5)[7]
        }
        expectMessage(result, contains: ["subscript", "index 7", "size 5"])
    }

    @Test func subscriptSecondIntegerOutOfBounds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3])[1, -4]
        }
        expectMessage(result, contains: ["subscript", "index -4", "axis 1", "size 3"])
    }

    @Test func subscriptTooManyIndices() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3])[0, 0, 0]
        }
        expectMessage(result, contains: ["subscript", "3 indices", "(2, 3)"])
    }

    @Test func itemOfSeveralElements() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 2]).floatValue
        }
        expectMessage(result, contains: ["item", "(2, 2)"])
    }

    @Test func scalarsDoNotFillShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2, 3] as [Float], shape: [2, 2])
        }
        expectMessage(result, contains: ["3 scalars", "(2, 2)"])
    }

    @Test func splitUnevenSections() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = split(Tensor.zeros([5, 2]), sections: 2)
        }
        expectMessage(result, contains: ["split", "(5, 2)", "2 equal sections"])
    }

    @Test func squeezeAxisNotOne() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 1]).squeeze([0])
        }
        expectMessage(result, contains: ["squeeze", "(2, 1)"])
    }

    @Test func atUpdateUsedTwice() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let position = Tensor.zeros([3]).at[1]
            _ = position.set(1.0)
            _ = position.add(2.0)
        }
        expectMessage(result, contains: ["at[]", "already used"])
    }

    @Test func atUpdateTooManyIndices() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]).at[0, 1].set(1.0)
        }
        expectMessage(result, contains: ["at[]", "2 indices", "(3,)"])
    }

    @Test func takeWithFloatIndices() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4]).take(Tensor([1] as [Float]))
        }
        expectMessage(result, contains: ["take", "integers", "float32"])
    }
}

@Suite struct PreconditionMessageTests {
    @Test func messageSurvivesOptimizedBuilds() async {
        // Swift's `precondition` prints "Precondition failed" and only in debug builds.
        // Weft's stops through `fatalError`, whose message optimized builds keep too.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Fatal error: matmul: shapes (2, 3) and (2, 3) are not aligned"), "\(message.prefix(300))")
    }
}
