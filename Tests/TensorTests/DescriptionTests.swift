import Testing
@testable import Tensor

@Suite struct DescriptionTests {
    @Test func scalarDescription() {
        #expect(Tensor(Float(1.5)).description == "Tensor(1.5, shape=(), dtype=float32)")
        #expect(Tensor(Int32(-3)).description == "Tensor(-3, shape=(), dtype=int32)")
        #expect(Tensor(true).description == "Tensor(True, shape=(), dtype=bool)")
    }

    @Test func vectorDescription() {
        #expect(Tensor([1, 2.5] as [Float]).description == "Tensor([1.0, 2.5], shape=(2,), dtype=float32)")
        #expect(Tensor([7, 255] as [UInt8]).description == "Tensor([7, 255], shape=(2,), dtype=uint8)")
        #expect(Tensor([4_000_000_000] as [UInt32]).description == "Tensor([4000000000], shape=(1,), dtype=uint32)")
        #expect(Tensor([true, false]).description == "Tensor([True, False], shape=(2,), dtype=bool)")
    }

    @Test func matrixDescriptionAlignsRows() {
        let m = Tensor([[1, 2], [3, 4]] as [[Float]])
        #expect(m.description == """
            Tensor([[1.0, 2.0],
                    [3.0, 4.0]], shape=(2, 2), dtype=float32)
            """)
    }

    @Test func rankThreeDescriptionSeparatesBlocks() {
        // NumPy separates the 2-D blocks of a 3-D array with a blank line.
        let cube = Tensor.arange(12).reshaped([2, 2, 3])
        #expect(cube.description == """
            Tensor([[[0, 1, 2],
                     [3, 4, 5]],

                    [[6, 7, 8],
                     [9, 10, 11]]], shape=(2, 2, 3), dtype=int32)
            """)
    }

    @Test func rankFourDescriptionSeparatesBlocks() {
        let x = Tensor.arange(16).reshaped([2, 2, 2, 2])
        #expect(x.description == """
            Tensor([[[[0, 1],
                      [2, 3]],

                     [[4, 5],
                      [6, 7]]],


                    [[[8, 9],
                      [10, 11]],

                     [[12, 13],
                      [14, 15]]]], shape=(2, 2, 2, 2), dtype=int32)
            """)
    }

    @Test func specialFloatValues() {
        let x = Tensor([.nan, .infinity, -.infinity, -0.0, 1e-5] as [Float])
        #expect(x.description == "Tensor([nan, inf, -inf, -0.0, 1e-05], shape=(5,), dtype=float32)")
    }

    @Test func emptyDescription() {
        #expect(Tensor([Float]()).description == "Tensor([], shape=(0,), dtype=float32)")
    }

    @Test func thousandElementsAreNotSummarized() {
        let x = Tensor.arange(1000)
        #expect(!x.description.contains("..."))
        #expect(x.description.hasSuffix("998, 999], shape=(1000,), dtype=int32)"))
    }

    @Test func vectorOverThousandElementsIsSummarized() {
        let x = Tensor.arange(1001)
        #expect(x.description == "Tensor([0, 1, 2, ..., 998, 999, 1000], shape=(1001,), dtype=int32)")
    }

    @Test func matrixOverThousandElementsIsSummarized() {
        let x = Tensor.arange(2000).reshaped([2, 1000])
        #expect(x.description == """
            Tensor([[0, 1, 2, ..., 997, 998, 999],
                    [1000, 1001, 1002, ..., 1997, 1998, 1999]], shape=(2, 1000), dtype=int32)
            """)
        let square = Tensor.zeros([40, 40])
        let lines = square.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 7)
        #expect(lines[0] == "Tensor([[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0],")
        #expect(lines[3] == "        ...,")
        #expect(lines[6].hasSuffix("0.0]], shape=(40, 40), dtype=float32)"))
    }

    @Test func debugDescriptionAndInterpolation() {
        let x = Tensor([1, 2] as [Int32])
        #expect(x.debugDescription == x.description)
        #expect("\(x)" == "Tensor([1, 2], shape=(2,), dtype=int32)")
    }

    @Test func tracedTensorDescription() {
        var inside = ""
        _ = grad({ (x: Tensor) -> Tensor in
            inside = (x * 2).description
            return x.sum()
        })(Tensor([1, 2] as [Float]))
        // The reverse-mode tape can read the primal value, so it prints it.
        #expect(inside == "Tensor([2.0, 4.0], shape=(2,), dtype=float32)")
    }
}
