import Testing
@testable import Tensor

@Suite struct AtUpdateTests {
    // MARK: - set

    @Test func setSingleElement() {
        let x = Tensor.zeros([5])
        let y = x.at[1].set(3.0)
        #expect(y.floats == [0, 3, 0, 0, 0])
        #expect(x.floats == [0, 0, 0, 0, 0])
    }

    @Test func setNegativePosition() {
        let y = Tensor.zeros([4]).at[-1].set(7.0)
        #expect(y.floats == [0, 0, 0, 7])
    }

    @Test func setRange() {
        let y = Tensor.zeros([6]).at[1..<4].set(2.0)
        #expect(y.floats == [0, 2, 2, 2, 0, 0])
        let z = Tensor.zeros([6]).at[4...].set(Tensor([8, 9] as [Float]))
        #expect(z.floats == [0, 0, 0, 0, 8, 9])
    }

    @Test func setWithIndexTensor() {
        let y = Tensor.zeros([5]).at[Tensor([0, 3] as [Int32])].set(Tensor([1, 2] as [Float]))
        #expect(y.floats == [1, 0, 0, 2, 0])
        let wrapped = Tensor.zeros([5]).at[Tensor([-1] as [Int32])].set(4.0)
        #expect(wrapped.floats == [0, 0, 0, 0, 4])
    }

    @Test func setStrided() {
        let y = Tensor.zeros([6]).at[stride(from: 0, to: 6, by: 2)].set(1.0)
        #expect(y.floats == [1, 0, 1, 0, 1, 0])
    }

    @Test func setRowOfMatrix() {
        let m = Tensor.zeros([3, 2])
        let y = m.at[1].set(Tensor([5, 6] as [Float]))
        #expect(y.shape == [3, 2])
        #expect(y.floats == [0, 0, 5, 6, 0, 0])
        let broadcast = m.at[2].set(9.0)
        #expect(broadcast.floats == [0, 0, 0, 0, 9, 9])
    }

    @Test func setElementOfMatrix() {
        let m = Tensor.zeros([2, 3])
        #expect(m.at[1, 2].set(1.0).floats == [0, 0, 0, 0, 0, 1])
        #expect(m.at[0, -1].set(1.0).floats == [0, 0, 1, 0, 0, 0])
    }

    @Test func setRegionOfMatrix() {
        let m = Tensor.zeros([3, 4])
        let y = m.at[0..<2, 1].set(Tensor([1, 2] as [Float]))
        #expect(y.floats == [0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0])
        let block = m.at[1..<3, 2..<4].set(Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]))
        #expect(block.floats == [0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4])
        let columns = m.at[Tensor([0, 2] as [Int32]), Tensor([3] as [Int32])].set(5.0)
        #expect(columns.floats == [0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 5])
    }

    @Test func setDuplicateIndicesLastWins() {
        let y = Tensor.zeros([3]).at[Tensor([1, 1] as [Int32])].set(Tensor([4, 5] as [Float]))
        #expect(y.floats == [0, 5, 0])
    }

    @Test func setConvertsToTensorDType() {
        let ints = Tensor.arange(4)
        let y = ints.at[0].set(2.7)
        #expect(y.dtype == .int32)
        #expect(y.ints == [2, 1, 2, 3])
        let fromTensor = ints.at[1].set(Tensor(Float(-5.5)))
        #expect(fromTensor.ints == [0, -5, 2, 3])
        let flags = Tensor([false, false]).at[1].set(Tensor(true))
        #expect(flags.scalars(as: Bool.self) == [false, true])
        let bytes = Tensor([1, 2] as [UInt8]).at[0].set(200)
        #expect(bytes.scalars(as: UInt8.self) == [200, 2])
    }

    @Test func setScalarConvertsLikeJAX() {
        // x.at[0].set(v) in JAX 0.10: Python ints wrap and floats convert as astype does.
        let ints = Tensor.zeros([2], dtype: .int32)
        #expect(ints.at[0].set(Double.nan).ints == [0, 0])
        #expect(ints.at[0].set(-2.7).ints == [-2, 0])
        #expect(ints.at[0].set(3e9).ints == [Int32.max, 0])
        let bytes = Tensor.zeros([2], dtype: .uint8)
        #expect(bytes.at[0].set(-1).scalars(as: UInt8.self) == [255, 0])
        #expect(bytes.at[0].set(300).scalars(as: UInt8.self) == [44, 0])
        #expect(bytes.at[0].set(-2.7).scalars(as: UInt8.self) == [0, 0])
        #expect(Tensor([false]).at[0].set(0.5).scalars(as: Bool.self) == [true])
    }

    // MARK: - add, multiply, min, max

    @Test func addAccumulatesDuplicates() {
        let x = Tensor.zeros([4])
        let y = x.at[Tensor([0, 2, 0, 0] as [Int32])].add(Tensor([1, 2, 3, 4] as [Float]))
        #expect(y.floats == [8, 0, 2, 0])
        #expect(x.floats == [0, 0, 0, 0])
    }

    @Test func addScalarAndRows() {
        #expect(Tensor.ones([3]).at[1].add(2.5).floats == [1, 3.5, 1])
        let m = Tensor.ones([3, 2])
        let y = m.at[Tensor([2, 2] as [Int32])].add(Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]))
        #expect(y.floats == [1, 1, 1, 1, 5, 7])
        let counts = Tensor.zeros([3], dtype: .int32).at[Tensor([1, 1, 2] as [Int32])].add(1)
        #expect(counts.ints == [0, 2, 1])
    }

    @Test func multiplyPositions() {
        let x = Tensor([1, 2, 3] as [Float])
        #expect(x.at[1].multiply(4.0).floats == [1, 8, 3])
        #expect(x.at[Tensor([2, 2] as [Int32])].multiply(Tensor([2, 5] as [Float])).floats == [1, 2, 30])
    }

    @Test func minAndMaxPositions() {
        let x = Tensor([1, 5, 3] as [Float])
        #expect(x.at[0..<3].min(2.0).floats == [1, 2, 2])
        #expect(x.at[0..<3].max(2.0).floats == [2, 5, 3])
        let duplicates = Tensor([0, 4] as [Int32])
        #expect(x.at[Tensor([1, 1] as [Int32])].min(Tensor([4, 2] as [Float])).floats == [1, 2, 3])
        #expect(x.at[duplicates].max(Tensor([9, 1] as [Float])).floats == [9, 5, 3])
    }

    // MARK: - get

    @Test func getReadsPositions() {
        let x = Tensor.arange(10, dtype: .float32).reshaped([5, 2])
        #expect(x.at[2].get().floats == [4, 5])
        #expect(x.at[1..<3].get().shape == [2, 2])
        #expect(x.at[Tensor([4, 0] as [Int32])].get().floats == [8, 9, 0, 1])
        #expect(x.at[3, 1].get().floatValue == 7)
    }

    @Test func getClampsIndexTensors() {
        let x = Tensor([10, 20, 30] as [Float])
        #expect(x.at[Tensor([5, -9] as [Int32])].get().floats == [30, 10])
    }

    // MARK: - Out-of-bounds writes

    @Test func outOfBoundsWritesAreDropped() {
        let x = Tensor.zeros([3])
        #expect(x.at[5].set(1.0).floats == [0, 0, 0])
        #expect(x.at[-4].set(1.0).floats == [0, 0, 0])
        #expect(x.at[Tensor([0, 7, -9, 2] as [Int32])].set(Tensor([1, 2, 3, 4] as [Float])).floats == [1, 0, 4])
        #expect(x.at[Tensor([3, 3] as [Int32])].add(1.0).floats == [0, 0, 0])
        #expect(x.at[1..<10].set(1.0).floats == [0, 1, 1])
    }

    @Test func outOfBoundsRowsOfMatrixAreDropped() {
        let m = Tensor.zeros([2, 2])
        #expect(m.at[2, 0].set(1.0).floats == [0, 0, 0, 0])
        #expect(m.at[0, 2].set(1.0).floats == [0, 0, 0, 0])
        #expect(m.at[Tensor([1, 2] as [Int32]), 1].set(1.0).floats == [0, 0, 0, 1])
    }

    // MARK: - Copy on write

    @Test func originalNeverChanges() {
        let x = Tensor([1, 2, 3] as [Float])
        let copy = x
        _ = x.at[0].set(9.0)
        _ = x.at[1].add(9.0)
        _ = x.at[Tensor([2] as [Int32])].multiply(9.0)
        #expect(x.floats == [1, 2, 3])
        #expect(copy.floats == [1, 2, 3])
    }

    @Test func sharedStorageIsCopied() {
        let x = Tensor.zeros([1000])
        let address = x.storage!.raw
        let y = x.at[0].set(1.0)
        #expect(y.storage!.raw != address)
        #expect(x.floats[0] == 0)
        #expect(y.floats[0] == 1)
        #expect(x.sum().floatValue == 0)
    }

    @Test func viewOfSameStorageIsNotWritten() {
        // A reshape shares the buffer, so updating x must not change the view.
        let x = Tensor.zeros([2, 3])
        let view = x.reshaped([6])
        let y = x.at[0, 0].set(1.0)
        #expect(view.floats == [0, 0, 0, 0, 0, 0])
        #expect(y.floats == [1, 0, 0, 0, 0, 0])
    }

    @Test func uniqueStorageIsUpdatedInPlace() {
        let x = Tensor.zeros([1000])
        let address = x.storage!.raw
        let y = (consume x).at[0].set(1.0)
        #expect(y.storage!.raw == address)
        #expect(y.floats[0] == 1)
        #expect(y.sum().floatValue == 1)
    }

    @Test func inPlaceUpdateChainKeepsBuffer() {
        var x = Tensor.zeros([1000])
        let address = x.storage!.raw
        for i in 0..<5 {
            x = (consume x).at[i].add(Float(i))
        }
        #expect(x.storage!.raw == address)
        #expect(Array(x.floats.prefix(6)) == [0, 1, 2, 3, 4, 0])
    }

    @Test func inPlaceUpdateAllocatesNoBufferOfOperandSize() async {
        // tensorAllocationCount is process-wide and other tests allocate concurrently,
        // so the count is taken in a child process.
        await #expect(processExitsWith: .success) {
            // Warm up both paths so one-time allocations do not count.
            var warm = Tensor.zeros([1000])
            warm = (consume warm).at[0].set(1.0)
            _ = warm.at[0].set(2.0)

            let unique = Tensor.zeros([1000])
            let address = unique.storage!.raw
            let beforeUnique = tensorAllocationCount
            let updated = (consume unique).at[0].set(1.0)
            let uniqueAllocations = tensorAllocationCount - beforeUnique
            #expect(updated.storage!.raw == address, "the unique update moved to a new buffer")

            let shared = Tensor.zeros([1000])
            let beforeShared = tensorAllocationCount
            let copied = shared.at[0].set(1.0)
            let sharedAllocations = tensorAllocationCount - beforeShared
            #expect(copied.storage!.raw != shared.storage!.raw, "the shared update wrote into the shared buffer")

            // The copy is the only difference between the two paths, so the in-place path
            // allocated no buffer for the operand. Both also allocate the small index
            // tensors that locate the update.
            #expect(
                sharedAllocations == uniqueAllocations + 1,
                "\(uniqueAllocations) allocations in place, \(sharedAllocations) with a copy")
        }
    }
}
