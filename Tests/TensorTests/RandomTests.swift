// Tests of the threefry PRNG against JAX 0.10.2.
//
// Every expected value below was printed by Tests/References/random_reference.py
// with jax 0.10.2 and jaxlib 0.10.2 on the CPU backend of an x86-64 host. Floats
// are compared with ==, so every value must match JAX exactly.

import Testing

@testable import Tensor

/// Logits shared by the categorical tests: `logits3x5` in the reference script.
private let referenceLogits = Tensor(
    [
        0.1, 2.0, -1.0, 0.5, 0.0,
        1.5, 1.5, 1.5, 1.5, 1.5,
        -3.0, 0.0, 3.0, 0.2, -0.7,
    ] as [Float],
    shape: [3, 5])

/// Probabilities shared by the choice tests: `p` in the reference script.
private let referenceProbabilities = Tensor([0.1, 0.4, 0.05, 0.25, 0.2] as [Float], shape: [5])

/// Flattened key data of `keys`, in JAX's `(count, 2)` layout.
private func keyWords(_ keys: [PRNGKey]) -> [UInt32] {
    keys.flatMap { $0.data }
}

@Suite struct RandomTests {
    // MARK: Keys

    @Test(arguments: [
        (0, [0, 0]), (1, [0, 1]), (42, [0, 42]), (-1, [0, 4_294_967_295]),
        (-2, [0, 4_294_967_294]), (2_147_483_648, [0, 2_147_483_648]),
        (4_294_967_301, [0, 5]), (1_099_511_627_783, [0, 7]), (-1_099_511_627_779, [0, 4_294_967_293]),
    ] as [(Int, [UInt32])])
    func prngKeyFromSeed(seed: Int, expected: [UInt32]) {
        #expect(PRNGKey(seed).data == expected)
    }

    @Test func prngKeyDataAndTensor() {
        let key = PRNGKey(data: [2_716_826_189, 292_468_403])

        #expect(key.word0 == 2_716_826_189)
        #expect(key.word1 == 292_468_403)
        #expect(key.tensor.dtype == .uint32)
        #expect(key.tensor.shape == [2])
        #expect(key.tensor.scalars(as: UInt32.self) == [2_716_826_189, 292_468_403])
        #expect(key.description == "PRNGKey([2716826189, 292468403])")
        #expect(PRNGKey(data: PRNGKey(42).data) == PRNGKey(42))
    }

    @Test func foldInReferenceValues() {
        #expect(foldIn(PRNGKey(0), 7).data == [2_716_826_189, 292_468_403])
        #expect(foldIn(PRNGKey(42), 1 << 31).data == [3_181_546_281, 2_228_815_013])
        #expect(foldIn(PRNGKey(1), Int(UInt32.max)).data == [1_173_147_676, 4_026_309_821])
        #expect(foldIn(foldIn(PRNGKey(3), 0), 1).data == [1_439_985_689, 1_586_930_987])
    }

    @Test(arguments: ModeReference.all)
    func splitReferenceValues(reference: ModeReference) {
        let mode = reference.mode

        #expect(keyWords(split(PRNGKey(0), mode: mode)) == reference.splitOfKey0)
        #expect(keyWords(split(PRNGKey(42), count: 3, mode: mode)) == reference.splitOfKey42IntoThree)
        #expect(keyWords(split(PRNGKey(7), count: 5, mode: mode)) == reference.splitOfKey7IntoFive)
        #expect(keyWords(split(foldIn(PRNGKey(0), 7), mode: mode)) == reference.splitOfFoldedKey)
        #expect(split(PRNGKey(0), count: 0, mode: mode).isEmpty)
    }

    @Test func splitModesDiffer() {
        let partitionable = split(PRNGKey(0), mode: .partitionable)
        let legacy = split(PRNGKey(0), mode: .legacy)

        #expect(partitionable != legacy)
    }

    @Test func defaultModeIsPartitionable() {
        #expect(PRNGKey.defaultMode == .partitionable)
        #expect(split(PRNGKey(5)) == split(PRNGKey(5), mode: .partitionable))
        #expect(uniform(PRNGKey(5), shape: [3]).floats == uniform(PRNGKey(5), shape: [3], mode: .partitionable).floats)
    }

    @Test func modeSettingStoresValueAcrossThreads() async {
        // A private setting, so that the process-wide default stays untouched
        // while other tests run in parallel.
        let setting = ThreefryModeSetting(.partitionable)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<64 {
                group.addTask {
                    setting.mode = index.isMultiple(of: 2) ? .legacy : .partitionable
                    _ = setting.mode
                }
            }
        }
        setting.mode = .legacy

        #expect(setting.mode == .legacy)
    }

    // MARK: Threefry block and XLA float32 math

    @Test func threefryBlockReferenceValues() {
        let zeros = threefry2x32Block(key0: 0, key1: 0, counter0: 0, counter1: 0)
        let ones = threefry2x32Block(
            key0: 0xFFFF_FFFF, key1: 0xFFFF_FFFF, counter0: 0xFFFF_FFFF, counter1: 0xFFFF_FFFF)
        let digits = threefry2x32Block(
            key0: 0x1319_8A2E, key1: 0x0370_7344, counter0: 0x243F_6A88, counter1: 0x85A3_08D3)

        #expect([zeros.0, zeros.1] == [1_797_259_609, 2_579_123_966])
        #expect([ones.0, ones.1] == [481_924_860, 3_137_350_631])
        #expect([digits.0, digits.1] == [3_297_917_596, 1_212_020_640])
    }

    @Test func xlaLogReferenceValues() {
        let inputs: [Float] = [5.83597231, 1.19999998e-38, 0.100000001, 1, 2, 1.00000002e+30]
        let expected: [Float] = [1.76404095, -87.3159103, -2.30258512, 0, 0.693147182, 69.0775528]

        #expect(inputs.map(xlaLog) == expected)
    }

    @Test func xlaLogSpecialValues() {
        #expect(xlaLog(0) == -.infinity)
        #expect(xlaLog(.infinity) == .infinity)
        #expect(xlaLog(-1).isNaN)
        #expect(xlaLog(.nan).isNaN)
    }

    @Test func xlaLog1pReferenceValues() {
        let inputs: [Float] = [-0.99984014, -0.5, -0.00100000005, 0.300000012, 0.5, 5.09569359]
        let expected: [Float] = [-8.74121475, -0.693147182, -0.0010005004, 0.262364268, 0.405465096, 1.80758262]

        #expect(inputs.map(xlaLog1p) == expected)
    }

    @Test func xlaErfReferenceValues() {
        let inputs: [Float] = [-4, -1.06066012, 0.00100000005, 0.5, 1.41421354, 3.79999995]
        let expected: [Float] = [-1, -0.866385579, 0.00112837879, 0.520499885, 0.954499722, 0.999999881]

        #expect(inputs.map(xlaErf) == expected)
    }

    @Test func erfInvReferenceValues() {
        let inputs: [Float] = [-0.99999994, -0.699999988, 0, 0.25, 0.899999976, 0.999899983]
        let expected: [Float] = [-3.83250666, -0.732869089, 0, 0.225312069, 1.16308701, 2.75102687]

        #expect(inputs.map(erfInv) == expected)
    }

    @Test func erfInvSpecialValues() {
        #expect(erfInv(1) == .infinity)
        #expect(erfInv(-1) == -.infinity)
        #expect(erfInv(1.5).isNaN)
        #expect(erfInv(.nan).isNaN)
    }

    @Test func cumulativeSumBlockwiseOrder() {
        let harmonic = (1...40).map { Float(1) / Float($0) }
        let expected: [Float] = [
            1, 1.5, 1.83333337, 2.08333349, 2.28333354, 2.45000029, 2.59285736, 2.71785736,
            2.82896852, 2.92896843, 3.01987743, 3.10321069, 3.18013382, 3.25156236, 3.31822896,
            3.38072896, 3.43955255, 3.49510813, 3.54773951, 3.5977397, 3.64535856, 3.6908133,
            3.73429155, 3.77595806, 3.81595802, 3.85441971, 3.8914566, 3.92717099, 3.96165371,
            3.99498701, 4.02724504, 4.05849504, 4.08879805, 4.11820984, 4.14678144, 4.17455912,
            4.20158625, 4.22790194, 4.2535429, 4.278543,
        ]

        #expect(xlaCumulativeSum(harmonic) == expected)
        #expect(xlaCumulativeSum([]) == [])
    }

    // MARK: Random bits

    @Test(arguments: ModeReference.all)
    func randomBitsReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let vector = randomBits(PRNGKey(0), shape: [7], mode: mode)
        let matrix = randomBits(PRNGKey(1), shape: [3, 5], mode: mode)
        let scalar = randomBits(PRNGKey(7), shape: [], mode: mode)

        #expect(vector.dtype == .uint32)
        #expect(vector.scalars(as: UInt32.self) == reference.bitsOfKey0Shape7)
        #expect(matrix.shape == [3, 5])
        #expect(matrix.scalars(as: UInt32.self) == reference.bitsOfKey1Shape3x5)
        #expect(scalar.shape == [])
        #expect(scalar.scalars(as: UInt32.self) == [reference.bitsOfKey7Scalar])
        #expect(randomBits(PRNGKey(0), shape: [0, 3], mode: mode).size == 0)
    }

    // MARK: Continuous samplers

    @Test(arguments: ModeReference.all)
    func uniformReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let matrix = uniform(PRNGKey(1), shape: [3, 5], mode: mode)
        let bounded = uniform(PRNGKey(7), shape: [7], minval: -3.7, maxval: 5.3, mode: mode)

        #expect(uniform(PRNGKey(0), shape: [4], mode: mode).scalars(as: Float.self) == reference.uniformOfKey0Shape4)
        #expect(matrix.dtype == .float32)
        #expect(matrix.shape == [3, 5])
        #expect(matrix.scalars(as: Float.self) == reference.uniformOfKey1Shape3x5)
        #expect(bounded.scalars(as: Float.self) == reference.uniformOfKey7Bounded)
    }

    @Test func uniformEqualBoundsGiveMinval() {
        let values = uniform(PRNGKey(3), shape: [5], minval: 2.5, maxval: 2.5)

        #expect(values.floats == [Float](repeating: 2.5, count: 5))
    }

    @Test(arguments: ModeReference.all)
    func normalReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let cube = normal(PRNGKey(7), shape: [2, 3, 4], mode: mode)

        #expect(normal(PRNGKey(0), shape: [4], mode: mode).scalars(as: Float.self) == reference.normalOfKey0Shape4)
        #expect(normal(PRNGKey(1), shape: [3, 5], mode: mode).scalars(as: Float.self) == reference.normalOfKey1Shape3x5)
        #expect(cube.shape == [2, 3, 4])
        #expect(cube.scalars(as: Float.self) == reference.normalOfKey7Shape2x3x4)
    }

    @Test(arguments: ModeReference.all)
    func normalAfterSplitChain(reference: ModeReference) {
        let mode = reference.mode
        var key = PRNGKey(42)

        var keys = split(key, mode: mode)
        key = keys[0]
        #expect(normal(keys[1], shape: [5], mode: mode).floats == reference.normalOfFirstSubkeyOfKey42)

        keys = split(key, mode: mode)
        #expect(normal(keys[1], shape: [5], mode: mode).floats == reference.normalOfSecondSubkeyOfKey42)
    }

    @Test(arguments: ModeReference.all)
    func truncatedNormalReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let asymmetric = truncatedNormal(PRNGKey(0), lower: -1.5, upper: 2, shape: [7], mode: mode)
        let upperTail = truncatedNormal(PRNGKey(1), lower: 1, upper: .infinity, shape: [5], mode: mode)
        let lowerTail = truncatedNormal(PRNGKey(7), lower: -.infinity, upper: -2, shape: [2, 3], mode: mode)
        let symmetric = truncatedNormal(PRNGKey(7), lower: -2, upper: 2, shape: [9], mode: mode)

        #expect(asymmetric.floats == reference.truncatedNormalAsymmetric)
        #expect(upperTail.floats == reference.truncatedNormalUpperTail)
        #expect(lowerTail.shape == [2, 3])
        #expect(lowerTail.floats == reference.truncatedNormalLowerTail)
        #expect(symmetric.floats == reference.truncatedNormalSymmetric)
    }

    @Test func truncatedNormalStaysInsideBounds() {
        let values = truncatedNormal(PRNGKey(11), lower: 0.5, upper: 0.5001, shape: [1000]).floats

        #expect(values.allSatisfy { $0 > 0.5 })
        #expect(values.allSatisfy { $0 < 0.5001 })
    }

    @Test(arguments: ModeReference.all)
    func bernoulliReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let half = bernoulli(PRNGKey(0), p: 0.5, shape: [8], mode: mode)
        let matrix = bernoulli(PRNGKey(1), p: 0.3, shape: [3, 5], mode: mode)

        #expect(half.dtype == .bool)
        #expect(half.scalars(as: Bool.self) == reference.bernoulliHalfShape8)
        #expect(matrix.scalars(as: Bool.self) == reference.bernoulliThirtyPercentShape3x5)
    }

    @Test func bernoulliCertainOutcomes() {
        #expect(bernoulli(PRNGKey(2), p: 0, shape: [100]).scalars(as: Bool.self).allSatisfy { !$0 })
        #expect(bernoulli(PRNGKey(2), p: 1, shape: [100]).scalars(as: Bool.self).allSatisfy { $0 })
    }

    @Test(arguments: ModeReference.all)
    func gumbelReferenceValues(reference: ModeReference) {
        let values = gumbel(PRNGKey(0), shape: [5], mode: reference.mode)

        #expect(values.floats == reference.gumbelOfKey0Shape5)
    }

    // MARK: Integer samplers

    @Test(arguments: ModeReference.all)
    func randintReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let small = randint(PRNGKey(0), shape: [9], minval: 0, maxval: 10, mode: mode)
        let matrix = randint(PRNGKey(1), shape: [3, 4], minval: -5, maxval: 5, mode: mode)
        let fullRange = randint(
            PRNGKey(7), shape: [5], minval: Int(Int32.min), maxval: Int(Int32.max), mode: mode)
        let wideSpan = randint(PRNGKey(7), shape: [4], minval: 100_000, maxval: 7_000_000, mode: mode)

        #expect(small.dtype == .int32)
        #expect(small.scalars(as: Int32.self) == reference.randintZeroToTen)
        #expect(matrix.shape == [3, 4])
        #expect(matrix.scalars(as: Int32.self) == reference.randintMinusFiveToFive)
        #expect(fullRange.scalars(as: Int32.self) == reference.randintFullRange)
        #expect(wideSpan.scalars(as: Int32.self) == reference.randintWideSpan)
    }

    @Test(arguments: ModeReference.all)
    func randintEmptyRangeGivesMinval(reference: ModeReference) {
        let mode = reference.mode

        #expect(randint(PRNGKey(0), shape: [3], minval: 5, maxval: 5, mode: mode).ints == [5, 5, 5])
        #expect(randint(PRNGKey(0), shape: [3], minval: 7, maxval: 3, mode: mode).ints == [7, 7, 7])
    }

    // MARK: Shuffling

    @Test(arguments: ModeReference.all)
    func permutationReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let ten = permutation(PRNGKey(0), 10, mode: mode)

        #expect(ten.dtype == .int32)
        #expect(ten.scalars(as: Int32.self) == reference.permutationOf10)
        #expect(permutation(PRNGKey(1), 1, mode: mode).ints == [0])
        #expect(permutation(PRNGKey(1), 0, mode: mode).shape == [0])
    }

    @Test func stableOrderMatchesAComparisonSort() {
        // Keys with many ties (a few distinct values) and keys over the full range,
        // where ties must keep their positions in order.
        var state: UInt32 = 12345
        func nextWord() -> UInt32 {
            state = state &* 1_664_525 &+ 1_013_904_223
            return state
        }
        let tied = (0..<5000).map { _ in nextWord() % 7 }
        let spread = (0..<5000).map { _ in nextWord() }
        let extremes: [UInt32] = [.max, 0, .max, 1 << 31, 0, 2047, 2048, 1 << 22]
        for keys in [tied, spread, extremes, []] {
            let expected = keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
            #expect(stableOrder(of: keys) == expected)
        }
    }

    @Test(arguments: ModeReference.all)
    func permutationOf60000Elements(reference: ModeReference) {
        let values = permutation(PRNGKey(0), 60000, mode: reference.mode).scalars(as: Int32.self)
        let checksum = values.enumerated().reduce(0) { sum, entry in
            sum + (entry.offset + 1) * Int(entry.element)
        }

        #expect(Array(values.prefix(20)) == reference.permutationOf60000Prefix)
        #expect(Array(values.suffix(5)) == reference.permutationOf60000Suffix)
        #expect(checksum == reference.permutationOf60000Checksum)
        #expect(values.sorted() == Array(0..<60000))
    }

    @Test(arguments: ModeReference.all)
    func permutationOfTensorLeadingAxis(reference: ModeReference) {
        let mode = reference.mode
        let matrix = Tensor((0..<12).map { Float($0) }, shape: [4, 3])
        let vector = Tensor([0, 10, 20, 30] as [Int32], shape: [4])
        let permutedMatrix = permutation(PRNGKey(7), matrix, mode: mode)
        let permutedVector = permutation(PRNGKey(7), vector, mode: mode)

        #expect(permutedMatrix.shape == [4, 3])
        #expect(permutedMatrix.scalars(as: Float.self) == reference.permutedMatrixRows)
        #expect(permutedVector.scalars(as: Int32.self) == reference.permutedVector)
    }

    @Test func shuffleRoundCountThresholds() {
        #expect(shuffleRoundCount(elementCount: 0) == 0)
        #expect(shuffleRoundCount(elementCount: 1) == 0)
        #expect(shuffleRoundCount(elementCount: 2) == 1)
        #expect(shuffleRoundCount(elementCount: 1625) == 1)
        #expect(shuffleRoundCount(elementCount: 1626) == 2)
        #expect(shuffleRoundCount(elementCount: 2_642_245) == 2)
        #expect(shuffleRoundCount(elementCount: 2_642_246) == 3)
    }

    // MARK: Discrete distributions

    @Test(arguments: ModeReference.all)
    func categoricalReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let lastAxis = categorical(PRNGKey(0), logits: referenceLogits, axis: -1, mode: mode)
        let firstAxis = categorical(PRNGKey(1), logits: referenceLogits, axis: 0, mode: mode)
        let firstRow = Tensor([0.1, 2.0, -1.0, 0.5, 0.0] as [Float], shape: [5])
        let vectorWithShape = categorical(PRNGKey(7), logits: firstRow, shape: [2, 3], mode: mode)
        let batchWithShape = categorical(PRNGKey(7), logits: referenceLogits, axis: -1, shape: [4, 3], mode: mode)

        #expect(lastAxis.dtype == .int32)
        #expect(lastAxis.shape == [3])
        #expect(lastAxis.scalars(as: Int32.self) == reference.categoricalLastAxis)
        #expect(firstAxis.shape == [5])
        #expect(firstAxis.scalars(as: Int32.self) == reference.categoricalFirstAxis)
        #expect(vectorWithShape.shape == [2, 3])
        #expect(vectorWithShape.scalars(as: Int32.self) == reference.categoricalVectorWithShape)
        #expect(batchWithShape.shape == [4, 3])
        #expect(batchWithShape.scalars(as: Int32.self) == reference.categoricalBatchWithShape)
    }

    @Test(arguments: ModeReference.all)
    func categoricalWithoutReplacement(reference: ModeReference) {
        let draws = categorical(
            PRNGKey(0), logits: referenceLogits, axis: -1, shape: [2, 3], replace: false,
            mode: reference.mode)

        #expect(draws.shape == [2, 3])
        #expect(draws.scalars(as: Int32.self) == reference.categoricalWithoutReplacement)
    }

    @Test func categoricalPicksOnlyPossibleCategory() {
        let logits = Tensor([-.infinity, 0, -.infinity] as [Float], shape: [3])

        #expect(categorical(PRNGKey(9), logits: logits, shape: [6]).ints == [1, 1, 1, 1, 1, 1])
    }

    @Test(arguments: ModeReference.all)
    func choiceReferenceValues(reference: ModeReference) {
        let mode = reference.mode
        let withoutReplacement = choice(PRNGKey(0), 10, shape: [3], replace: false, mode: mode)
        let withReplacement = choice(PRNGKey(1), 10, shape: [2, 2], replace: true, mode: mode)

        #expect(withoutReplacement.dtype == .int32)
        #expect(withoutReplacement.scalars(as: Int32.self) == reference.choiceWithoutReplacement)
        #expect(withReplacement.shape == [2, 2])
        #expect(withReplacement.scalars(as: Int32.self) == reference.choiceWithReplacement)
    }

    @Test(arguments: ModeReference.all)
    func choiceWithProbabilities(reference: ModeReference) {
        let mode = reference.mode
        let withReplacement = choice(
            PRNGKey(7), 5, shape: [6], replace: true, p: referenceProbabilities, mode: mode)
        let withoutReplacement = choice(
            PRNGKey(7), 5, shape: [4], replace: false, p: referenceProbabilities, mode: mode)

        #expect(withReplacement.scalars(as: Int32.self) == reference.choiceWithProbabilitiesAndReplacement)
        #expect(withoutReplacement.scalars(as: Int32.self) == reference.choiceWithProbabilitiesWithoutReplacement)
    }

    @Test(arguments: ModeReference.all)
    func choiceOfTensorRows(reference: ModeReference) {
        let rows = Tensor((0..<10).map { Float($0) }, shape: [5, 2])
        let draws = choice(PRNGKey(0), rows, shape: [3], replace: false, mode: reference.mode)

        #expect(draws.shape == [3, 2])
        #expect(draws.scalars(as: Float.self) == reference.choiceOfMatrixRows)
    }

    @Test func choiceShapes() {
        let scalar = choice(PRNGKey(4), 6)
        let empty = choice(PRNGKey(4), 0, shape: [0])
        let columns = choice(PRNGKey(4), Tensor.zeros([2, 7]), shape: [3], axis: 1)

        #expect(scalar.shape == [])
        #expect((0..<6).contains(Int(scalar.intValue)))
        #expect(empty.shape == [0])
        #expect(columns.shape == [2, 3])
    }

    @Test func choiceSkipsZeroProbability() {
        let probabilities = Tensor([0, 1, 0, 1] as [Float], shape: [4])
        let draws = choice(PRNGKey(8), 4, shape: [50], p: probabilities).ints

        #expect(draws.allSatisfy { $0 == 1 || $0 == 3 })
    }

    // MARK: Invalid arguments

    @Test func foldInRejectsNegativeData() async {
        await #expect(processExitsWith: .failure) {
            _ = foldIn(PRNGKey(0), -1)
        }
    }

    @Test func uniformRejectsReversedBounds() async {
        await #expect(processExitsWith: .failure) {
            _ = uniform(PRNGKey(0), shape: [2], minval: 1, maxval: 0)
        }
    }

    @Test func choiceRejectsTooManyDraws() async {
        await #expect(processExitsWith: .failure) {
            _ = choice(PRNGKey(0), 3, shape: [4], replace: false)
        }
    }

    @Test func categoricalRejectsInvalidAxis() async {
        await #expect(processExitsWith: .failure) {
            _ = categorical(PRNGKey(0), logits: Tensor.zeros([2, 3]), axis: 2)
        }
    }
}

/// Reference values of one threefry mode, printed by
/// Tests/References/random_reference.py with JAX 0.10.2. Each name gives the
/// sampler, the seed of its `PRNGKey` and the shape or case.
struct ModeReference: Sendable, CustomTestStringConvertible {
    let mode: ThreefryMode
    let splitOfKey0: [UInt32]
    let splitOfKey42IntoThree: [UInt32]
    let splitOfKey7IntoFive: [UInt32]
    let splitOfFoldedKey: [UInt32]
    let bitsOfKey0Shape7: [UInt32]
    let bitsOfKey1Shape3x5: [UInt32]
    let bitsOfKey7Scalar: UInt32
    let uniformOfKey0Shape4: [Float]
    let uniformOfKey1Shape3x5: [Float]
    let uniformOfKey7Bounded: [Float]
    let normalOfKey0Shape4: [Float]
    let normalOfKey1Shape3x5: [Float]
    let normalOfKey7Shape2x3x4: [Float]
    let normalOfFirstSubkeyOfKey42: [Float]
    let normalOfSecondSubkeyOfKey42: [Float]
    let truncatedNormalAsymmetric: [Float]
    let truncatedNormalUpperTail: [Float]
    let truncatedNormalLowerTail: [Float]
    let truncatedNormalSymmetric: [Float]
    let bernoulliHalfShape8: [Bool]
    let bernoulliThirtyPercentShape3x5: [Bool]
    let gumbelOfKey0Shape5: [Float]
    let randintZeroToTen: [Int32]
    let randintMinusFiveToFive: [Int32]
    let randintFullRange: [Int32]
    let randintWideSpan: [Int32]
    let permutationOf10: [Int32]
    let permutationOf60000Prefix: [Int32]
    let permutationOf60000Suffix: [Int32]
    let permutationOf60000Checksum: Int
    let permutedMatrixRows: [Float]
    let permutedVector: [Int32]
    let categoricalLastAxis: [Int32]
    let categoricalFirstAxis: [Int32]
    let categoricalVectorWithShape: [Int32]
    let categoricalBatchWithShape: [Int32]
    let categoricalWithoutReplacement: [Int32]
    let choiceWithoutReplacement: [Int32]
    let choiceWithReplacement: [Int32]
    let choiceWithProbabilitiesAndReplacement: [Int32]
    let choiceWithProbabilitiesWithoutReplacement: [Int32]
    let choiceOfMatrixRows: [Float]

    static let partitionable = ModeReference(
        mode: .partitionable,
        splitOfKey0: [1797259609, 2579123966, 928981903, 3453687069],
        splitOfKey42IntoThree: [1832780943, 270669613, 64467757, 2916123636, 2465931498, 255383827],
        splitOfKey7IntoFive: [
            3625411723, 1954958720, 195045567, 4062205631, 966301609, 1948237315, 276534068,
            1641862660, 51277378, 3088387524
        ],
        splitOfFoldedKey: [865534001, 1242276491, 1515927632, 1211112401],
        bitsOfKey0Shape7: [4070199207, 4202968722, 1427181096, 2012915765, 2447653815, 710830403, 1332275837],
        bitsOfKey1Shape3x5: [
            1883912375, 2292451390, 1915204986, 1882898417, 3854144420, 2400655036, 4225756532,
            3616323604, 1656910982, 2748596072, 1028623903, 1730928758, 3487851715, 3367688912,
            3491717864
        ],
        bitsOfKey7Scalar: 2895194379,
        uniformOfKey0Shape4: [0.947667003, 0.978579879, 0.332291484, 0.468668461],
        uniformOfKey1Shape3x5: [
            0.438632488, 0.533752918, 0.445918322, 0.438396335, 0.897362828, 0.558946013,
            0.983885527, 0.841990948, 0.385779619, 0.639957309, 0.239495158, 0.403013229,
            0.812078714, 0.784101129, 0.812978864
        ],
        uniformOfKey7Bounded: [2.36680913, 5.0715518, -0.974407911, 0.29562664, 2.87797928, 1.97836626, 0.336953044],
        normalOfKey0Shape4: [1.62264216, 2.02526474, -0.433594435, -0.0786173493],
        normalOfKey1Shape3x5: [
            -0.154437184, 0.084707275, -0.135980487, -0.155036256, 1.26666737, 0.148297578,
            2.14156032, 1.00267422, -0.290335864, 0.358344793, -0.707927346, -0.245555267,
            0.885582507, 0.786119103, 0.888927162
        ],
        normalOfKey7Shape2x3x4: [
            0.451235145, 1.95345092, -0.516239464, -0.140940294, 0.615496695, 0.334316492,
            -0.129324675, -0.223736495, -1.47755063, -1.34240615, -0.328693241, 0.999613225,
            0.528142333, -1.74634087, 1.47399187, -0.0377146266, -0.254754066, 0.731748164,
            -0.342616946, 1.95112228, 1.5149523, -0.261324674, -0.384550661, 0.46573624
        ],
        normalOfFirstSubkeyOfKey42: [0.605764031, 0.799044073, -0.908927023, -0.635257542, -1.22265851],
        normalOfSecondSubkeyOfKey42: [-0.210890353, -1.36279476, -0.04500385, -1.15363944, 1.91411388],
        truncatedNormalAsymmetric: [
            1.47284591, 1.7251308, -0.333603054, -0.0162863676, 0.216390222, -0.7807042,
            -0.38742283
        ],
        truncatedNormalUpperTail: [1.346542, 1.44682813, 1.35375082, 1.34630954, 2.13737082],
        truncatedNormalLowerTail: [-2.16131163, -2.01081204, -2.46296191, -2.32260752, -2.12898469, -2.18748093],
        truncatedNormalSymmetric: [
            0.429358363, 1.67488575, -0.490714401, -0.134487808, 0.583974242, 0.318566203,
            -0.123409741, -0.213396698, -1.34483123
        ],
        bernoulliHalfShape8: [false, false, true, true, false, true, true, false],
        bernoulliThirtyPercentShape3x5: [
            false, false, false, false, false, false, false, false, false, false, true, false,
            false, false, false
        ],
        gumbelOfKey0Shape5: [2.92337251, 3.83261776, -0.0968932435, 0.277257085, 0.575694561],
        randintZeroToTen: [9, 0, 2, 3, 1, 7, 2, 3, 3],
        randintMinusFiveToFive: [1, 2, -5, -2, 3, -1, 3, -4, 1, 1, 3, -2],
        randintFullRange: [752193311, 1400917350, -455323268, -325042195, -1247424290],
        randintWideSpan: [1776959, 1900998, 1760380, 941453],
        permutationOf10: [0, 1, 8, 5, 6, 4, 3, 2, 7, 9],
        permutationOf60000Prefix: [
            48820, 47051, 9095, 5778, 25367, 40208, 19520, 18286, 34087, 34222, 28766, 9011, 9052,
            31243, 52793, 36801, 28761, 3850, 15391, 58251
        ],
        permutationOf60000Suffix: [54234, 33122, 12795, 26370, 1520],
        permutationOf60000Checksum: 53942613584023,
        permutedMatrixRows: [6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5],
        permutedVector: [20, 30, 0, 10],
        categoricalLastAxis: [1, 3, 2],
        categoricalFirstAxis: [1, 1, 2, 2, 1],
        categoricalVectorWithShape: [1, 1, 1, 4, 0, 1],
        categoricalBatchWithShape: [1, 0, 2, 4, 0, 2, 0, 0, 2, 1, 3, 2],
        categoricalWithoutReplacement: [1, 3, 2, 0, 2, 4],
        choiceWithoutReplacement: [0, 1, 8],
        choiceWithReplacement: [6, 7, 0, 3],
        choiceWithProbabilitiesAndReplacement: [1, 0, 3, 3, 1, 1],
        choiceWithProbabilitiesWithoutReplacement: [1, 4, 3, 0],
        choiceOfMatrixRows: [0, 1, 2, 3, 8, 9]
    )

    static let legacy = ModeReference(
        mode: .legacy,
        splitOfKey0: [4146024105, 967050713, 2718843009, 1272950319],
        splitOfKey42IntoThree: [3134548294, 3733159049, 3746501087, 894150801, 801545058, 2363201431],
        splitOfKey7IntoFive: [
            3583082021, 1059767885, 1158596951, 3570483602, 902484696, 1947592014, 964771841,
            2936027381, 2956069637, 3584898772
        ],
        splitOfFoldedKey: [2754311782, 3805605528, 2342559450, 813243133],
        bitsOfKey0Shape7: [2285895361, 1501764800, 1518642379, 3098264785, 433833334, 4221794875, 839183663],
        bitsOfKey1Shape3x5: [
            2060742690, 192079618, 2903678143, 3050814258, 1265843154, 1836964916, 241566239,
            640419153, 404096164, 289295859, 1172649962, 637695944, 3078764496, 474203137,
            30935255
        ],
        bitsOfKey7Scalar: 3625411723,
        uniformOfKey0Shape4: [0.965321422, 0.22515893, 0.633029938, 0.296381831],
        uniformOfKey1Shape3x5: [
            0.479804039, 0.044721961, 0.676065207, 0.710322976, 0.294726968, 0.427701712,
            0.0562440157, 0.149109125, 0.0940859318, 0.0673568249, 0.273028731, 0.148475051,
            0.716830611, 0.110409021, 0.00720262527
        ],
        uniformOfKey7Bounded: [-3.5925498, -0.286827922, -0.681595445, 1.77819085, 2.7716403, 5.29319763, 4.11949444],
        normalOfKey0Shape4: [1.81608629, -0.754885137, 0.339889079, -0.534835339],
        normalOfKey1Shape3x5: [
            -0.0506453328, -1.69833791, 0.456723928, 0.55432862, -0.539627492, -0.182228401,
            -1.58710837, -1.04026163, -1.31600642, -1.49576974, -0.603678346, -1.04299593,
            0.573451996, -1.2243557, -2.44699359
        ],
        normalOfKey7Shape2x3x4: [
            1.91475439, 0.131717995, 1.32874262, -0.554915309, -0.306845456, -0.175937206,
            0.120471492, 1.29888403, -0.993354082, 0.525201201, -0.945964158, -0.343810856,
            -0.539904356, -1.54569149, 1.19312859, 0.252261579, -0.30176118, 2.08658719,
            0.27209422, -0.826419592, 0.993401289, 0.267775118, 0.719680011, -1.80836129
        ],
        normalOfFirstSubkeyOfKey42: [-0.55338794, 0.944283009, -0.741763949, -0.576975822, 1.1251862],
        normalOfSecondSubkeyOfKey42: [-0.327613175, -0.406634599, 1.24690711, 1.1900425, 1.100263],
        truncatedNormalAsymmetric: [
            0.129120529, -0.291983306, -0.282637447, 0.59349215, -0.999523103, 1.77123058,
            -0.691274881
        ],
        truncatedNormalUpperTail: [1.92932189, 1.11552846, 1.36395633, 1.58346605, 1.48754621],
        truncatedNormalLowerTail: [-2.97503304, -2.60708928, -2.32281065, -2.37827945, -2.16052985, -2.43576908],
        truncatedNormalSymmetric: [
            0.911723137, -0.648689568, -0.582149744, 0.90113914, 0.198940113, -0.111583941,
            -0.715474546, 0.454438537, 0.466853142
        ],
        bernoulliHalfShape8: [false, true, true, false, true, false, true, false],
        bernoulliThirtyPercentShape3x5: [
            false, true, false, false, true, false, true, true, true, true, true, true, false,
            true, true
        ],
        gumbelOfKey0Shape5: [0.590131462, -0.835397243, 0.068773523, 2.19059563, 0.660555124],
        randintZeroToTen: [8, 5, 7, 6, 1, 3, 0, 1, 2],
        randintMinusFiveToFive: [-1, 1, 3, -2, 4, -1, 0, -1, 4, -4, 3, 0],
        randintFullRange: [520778116, -987716764, -373129480, 1337060936, -394871275],
        randintWideSpan: [2815798, 3670071, 2088743, 1538808],
        permutationOf10: [2, 7, 9, 6, 0, 8, 1, 3, 4, 5],
        permutationOf60000Prefix: [
            45335, 42303, 35171, 48022, 51664, 50000, 25930, 43993, 30316, 28368, 15477, 4049,
            3759, 4373, 19629, 36840, 10164, 48968, 12394, 51302
        ],
        permutationOf60000Suffix: [15098, 32161, 319, 511, 58519],
        permutationOf60000Checksum: 53941723931099,
        permutedMatrixRows: [0, 1, 2, 9, 10, 11, 3, 4, 5, 6, 7, 8],
        permutedVector: [0, 30, 10, 20],
        categoricalLastAxis: [1, 1, 2],
        categoricalFirstAxis: [1, 0, 2, 0, 1],
        categoricalVectorWithShape: [1, 3, 1, 4, 4, 3],
        categoricalBatchWithShape: [1, 1, 2, 4, 4, 2, 1, 1, 2, 1, 1, 2],
        categoricalWithoutReplacement: [1, 1, 2, 3, 4, 1],
        choiceWithoutReplacement: [2, 7, 9],
        choiceWithReplacement: [6, 5, 7, 1],
        choiceWithProbabilitiesAndReplacement: [4, 3, 3, 3, 1, 3],
        choiceWithProbabilitiesWithoutReplacement: [4, 3, 1, 2],
        choiceOfMatrixRows: [2, 3, 0, 1, 8, 9]
    )

    static let all = [partitionable, legacy]

    var testDescription: String { "\(mode)" }
}
