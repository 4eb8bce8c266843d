import CKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A group of float32 elementwise operations over one shape, and sums or row reductions
/// of some of their values, run as one pass. Each block of elements goes through every operation before
/// the next block starts, so intermediate values live in small scratch blocks instead
/// of tensors.
///
/// Every input has the iteration shape, is a scalar, is a row that broadcasts along
/// the shape's last axis, or is a column (shape [..., 1]) with one value per row. Inputs
/// are float32, except uint8 inputs of the iteration shape, which only `convertBytes`
/// and `dividedBytes` read. Each output is a value stored in full, the sum of a value
/// over all elements, or a value's sum, maximum or minimum over each row. The operations are the float32
/// expressions of the unfused kernels, in the same order. Sums visit the elements in the
/// blocks and pairs of `Summation.pairwise`, and row sums those of
/// `Summation.pairwiseRows`. So the results equal the unfused steps' bit for bit. Fused
/// steps exist only inside compiled plans, which never differentiate or batch them.
struct FusedElementwise: DestinationPassingPrimitive {
    enum Operand: Equatable {
        /// Input tensor `index` of the fused step.
        case input(Int)
        /// The result of instruction `index`.
        case result(Int)
    }

    enum Instruction {
        case unary(UnaryOperation, Operand)
        case binary(BinaryOperation, Operand, Operand)
        /// `(a * scale) + shift`, or `- shift` when `subtracts` is set: a multiply and an
        /// add or subtract fused into one loop, where `scale` and `shift` are scalar inputs.
        case scaleShift(Operand, scale: Int, shift: Int, subtracts: Bool)
        /// `r = (a + b) * scale`, or `(a - b) * scale` when `subtracts` is set, where `a`
        /// and `b` are blocks and `scale` is a scalar input. The value is `r`, or `r + r`
        /// when `doubles` is set.
        case combineScale(Operand, Operand, scale: Int, subtracts: Bool, doubles: Bool)
        /// The float32 values of the uint8 input `index` (`convert_element_type`), such as
        /// image bytes on their way to being scaled.
        case convertBytes(Int)
        /// The float32 values of the uint8 input `index` divided by the scalar input
        /// `divisor`, such as pixel intensities scaled to [0, 1]. The conversion and the
        /// division share one loop, and each quotient is correctly rounded.
        case dividedBytes(Int, divisor: Int)
        /// `onTrue` where `mask` is nonzero and `onFalse` elsewhere (`select_n` on a
        /// comparison), where `mask` is a comparison's 1 or 0.
        case select(mask: Operand, onTrue: Operand, onFalse: Operand)
        /// The sum (`isMaximum` nil), maximum or minimum of an operand over each row, a
        /// row value (`rowValued`) that later instructions read, such as a softmax's sum
        /// read again by its normalization. Blocks hold whole rows in a pass with such
        /// an instruction, and the bits are those of `rowSum` and `rowExtremum`.
        case rowReduction(Operand, isMaximum: Bool?)
        /// An instruction whose value no other instruction or output reads any more.
        case unused
    }

    enum Output {
        /// The value of an instruction, stored in a tensor of the iteration shape.
        case store(Int)
        /// The sum over all elements of an instruction's value, a float32 scalar.
        case sum(Int)
        /// The sum over all elements of the product of two operands, each product
        /// rounded before it is added, a float32 scalar.
        case sumOfProducts(Operand, Operand)
        /// The sum of an instruction's values over each row (the last axis), with the
        /// bits of `Summation.pairwiseRows`: the iteration shape without its last axis.
        case rowSum(Int)
        /// The maximum (or minimum) of an instruction's values over each row, NaN when
        /// the row has one, as the unfused `reduce_max` and `reduce_min` compute it.
        case rowExtremum(Int, isMaximum: Bool)
        /// The values of an instruction stored again, in a second tensor that the helper
        /// thread of `Parallel` writes while the calling thread writes the `store`.
        /// Each thread's parts of later products then read data in their own core's
        /// cache (`HelperCopies`). A pass with a copy has stores and copies only, and
        /// each computes the whole iteration shape on its thread.
        case copy(Int)
        /// The values of a row-valued instruction, one per row: a tensor of the
        /// iteration shape without its last axis, or with a last axis of 1.
        case rowStore(Int)
    }

    let instructions: [Instruction]
    let shape: [Int]
    let results: [Output]
    let resultTypes: [TensorType]
    /// For each instruction, whether its values are one per row: a row reduction, or a
    /// function of row values, scalars and columns. Such an instruction runs once per
    /// row of a block. Instructions over the whole block read its values repeated
    /// along each row.
    let rowValued: [Bool]
    /// For each instruction, whether whole-block instructions, row reductions or stores
    /// read its values, so that a row-valued instruction also writes them repeated
    /// along each row. The initializer computes it once, so that runs do not.
    let readsRepeatedRows: [Bool]

    /// Creates a pass. `unused` instructions are dropped and the indices of the others
    /// renumbered, so that the block loop visits only instructions that compute values.
    init(instructions: [Instruction], shape: [Int], results: [Output], resultTypes: [TensorType], rowValued: [Bool]? = nil) {
        let (instructions, results, rowValued) = Self.compacted(
            instructions, results, rowValued ?? [Bool](repeating: false, count: instructions.count))
        self.instructions = instructions
        self.shape = shape
        self.results = results
        self.resultTypes = resultTypes
        self.rowValued = rowValued

        var readsRepeatedRows = [Bool](repeating: false, count: instructions.count)
        for (index, instruction) in instructions.enumerated() {
            if case .rowReduction = instruction {} else if rowValued[index] { continue }
            for case .result(let source) in Self.operands(of: instruction) { readsRepeatedRows[source] = true }
        }
        for result in results {
            switch result {
            case .store(let source), .copy(let source), .rowSum(let source), .rowExtremum(let source, _):
                readsRepeatedRows[source] = true
            case .sum, .sumOfProducts, .rowStore: break
            }
        }
        self.readsRepeatedRows = readsRepeatedRows
    }

    var name: String { "fused_elementwise" }
    /// The number of instructions that compute values (not `unused`).
    var operationCount: Int {
        instructions.filter { if case .unused = $0 { false } else { true } }.count
    }

    var parameterDescription: String {
        let operations = operationCount
        var sums = 0
        var rows = 0
        var copies = 0
        for result in results {
            switch result {
            case .store: break
            case .sum, .sumOfProducts: sums += 1
            case .rowSum, .rowExtremum, .rowStore: rows += 1
            case .copy: copies += 1
            }
        }
        var description = "operations=\(operations)"
        if sums > 0 { description += " sums=\(sums)" }
        if rows > 0 { description += " row_reductions=\(rows)" }
        if copies > 0 { description += " copies=\(copies)" }
        return description
    }
    var isPointwise: Bool { true }

    func outputTypes(_ inputs: [TensorType]) -> [TensorType] { resultTypes }

    /// Only a stored value may take an input's buffer (one of the iteration shape, which
    /// each block reads before it writes). A row reduction has the shape of a row or
    /// column input, but writes a block's rows while other blocks still read that input.
    /// In a pass with copies, each thread reads every input while the other writes, so
    /// no output takes an input's buffer.
    func mayWrite(output: Int, over input: Int) -> Bool {
        if hasCopies { return false }
        if case .store = results[output] { return true }
        return false
    }

    /// Whether the pass writes copies for the helper thread (`Output.copy`).
    var hasCopies: Bool {
        results.contains { if case .copy = $0 { true } else { false } }
    }


    func vjp(inputs: [Tensor], outputs: [Tensor], cotangents: [Tensor]) -> [Tensor?] {
        preconditionFailure("fused_elementwise: fused steps exist only in compiled plans and are not differentiated")
    }

    func batch(_ inputs: [Tensor], axes: [Int?]) -> (outputs: [Tensor], axes: [Int?]) {
        preconditionFailure("fused_elementwise: fused steps exist only in compiled plans and are not batched")
    }

    /// Returns whether `unary` and `binary` below implement the operation for float32
    /// (comparisons giving 1 or 0).
    static func canFuse(_ primitive: any Primitive) -> Bool {
        if primitive is ComparisonSelect { return true }
        if let unary = primitive as? ElementwiseUnary { return unary.operation != .logicalNot }
        if let binary = primitive as? ElementwiseBinary {
            switch binary.operation {
            case .add, .subtract, .multiply, .divide, .maximum, .minimum: return true
            default: return binary.operation.isComparison
            }
        }
        return false
    }

    /// The maximum number of elements in one block. A block of every instruction's
    /// values fits in the first-level cache for a few instructions, and each
    /// instruction's loop runs long enough to hide its call. Sums are taken over whole
    /// blocks with `Summation.pairwise`, on nodes of the same pairwise tree as the
    /// unfused sum's.
    static let blockSize = 1024

    /// The approximate number of element operations (elements times instructions) per
    /// part when a pass is cut for the two threads of `Parallel`.
    private static let parallelGrainWork = 1 << 14

    func evaluate(_ inputs: [Tensor], into outputs: [Tensor]) {
        let count = shape.reduce(1, *)
        let pass = Pass(self, inputs, outputs)
        let sumCount = pass.sumCount
        let grain = max(Self.parallelGrainWork / max(instructions.count, 1), Self.blockSize)

        withExtendedLifetime((inputs, outputs)) {
            guard count > 0 else {
                for output in 0..<sumCount { pass.sums[output][0] = 0 }
                return
            }
            if hasCopies {
                let copyPass = Pass(self, inputs, outputs, writesCopies: true)
                Parallel.runCopies { copy in (copy == 0 ? pass : copyPass).storeBlocks(0..<count) }
                return
            }
            if sumCount == 0 {
                // Parts and blocks hold whole rows when rows are reduced.
                let alignment = pass.needsWholeRows ? pass.rowLength : 16
                Parallel.ranges(count, grain: grain, alignment: alignment) { range in pass.storeBlocks(range) }
                return
            }

            // The pairwise tree's nodes down to a depth that gives enough parts, each
            // summed on either thread, then combined in the tree's order.
            var parts = [Range<Int>]()
            let tree = PairwiseTree(0..<count, depth: count >= 4 * grain ? 3 : (count >= grain ? 1 : 0), parts: &parts)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: (parts.count + 1) * sumCount) { buffer in
                let partial = buffer.baseAddress!
                Parallel.forEach(parts: parts.count) { part in
                    pass.sumPairwise(parts[part], into: partial + part * sumCount)
                }
                let totals = partial + parts.count * sumCount
                tree.combine(partial, sumCount, into: totals)
                for output in 0..<sumCount { pass.sums[output][0] = totals[output] }
            }
        }
    }
}

/// The nodes of `Summation.pairwise`'s recursion over a range, cut at a fixed depth.
private indirect enum PairwiseTree {
    /// A node summed whole, which is part `index` of the cut.
    case part(Int)
    case pair(PairwiseTree, PairwiseTree)

    init(_ range: Range<Int>, depth: Int, parts: inout [Range<Int>]) {
        let count = range.count
        guard depth > 0, count > FusedElementwise.blockSize else {
            parts.append(range)
            self = .part(parts.count - 1)
            return
        }
        let half = (count / 2) & ~7
        let left = PairwiseTree(range.lowerBound..<(range.lowerBound + half), depth: depth - 1, parts: &parts)
        let right = PairwiseTree((range.lowerBound + half)..<range.upperBound, depth: depth - 1, parts: &parts)
        self = .pair(left, right)
    }

    /// Writes this node's `width` sums into `out`, adding the two halves of each pair
    /// as `Summation.pairwise` does. `partial` contains each part's sums.
    func combine(_ partial: UnsafeMutablePointer<Float>, _ width: Int, into out: UnsafeMutablePointer<Float>) {
        switch self {
        case .part(let index):
            out.update(from: partial + index * width, count: width)
        case .pair(let left, let right):
            let rightSums = UnsafeMutablePointer<Float>.allocate(capacity: width)
            defer { rightSums.deallocate() }
            left.combine(partial, width, into: out)
            right.combine(partial, width, into: rightSums)
            for j in 0..<width { out[j] = out[j] + rightSums[j] }
        }
    }
}

/// One run of a fused step over concrete buffers.
///
/// Invariant: every input pointer addresses the iteration shape's element count, one
/// element (a scalar), one row's length or one float per row, or the element count of
/// bytes, as `kinds` records. Each store
/// pointer addresses the element count, and each sum pointer addresses one float.
private struct Pass {
    enum Kind { case full, scalar, row, column, bytes }

    let step: FusedElementwise
    let inputs: [UnsafeMutablePointer<Float>]
    let kinds: [Kind]
    /// The terms of one sum: an instruction's values or the products of two operands.
    enum Summand {
        case values(Int)
        case products(FusedElementwise.Operand, FusedElementwise.Operand)
    }

    /// An instruction's values stored in an output of the iteration shape.
    struct Store {
        let instruction: Int
        let pointer: UnsafeMutablePointer<Float>
    }

    /// An instruction's values reduced over each row into an output with one float per
    /// row: a sum when `isMaximum` is nil, else the maximum or the minimum.
    /// (`Store` and this type replace tuples, whose arrays look up type metadata on
    /// every allocation.)
    struct RowReduction {
        let instruction: Int
        let isMaximum: Bool?
        let pointer: UnsafeMutablePointer<Float>
    }

    let stores: [Store]
    let rowReductions: [RowReduction]
    /// The values stored one per row (`Output.rowStore`).
    let rowStores: [Store]
    /// Whether blocks and parts hold whole rows, as row reductions and values stored
    /// per row need.
    let needsWholeRows: Bool
    /// Whether some instruction is row-valued. `rowValued` has the step's flags when
    /// one is, and is empty otherwise.
    let hasRowInstructions: Bool
    let rowValued: [Bool]
    /// The number of floats per instruction in the area of row values.
    let rowSlotCapacity: Int
    let summed: [Summand]
    let sums: [UnsafeMutablePointer<Float>]
    let rowLength: Int
    /// For each instruction, the output that receives its values directly instead of
    /// through its scratch block: the first output storing the value whose buffer is
    /// not an input's buffer.
    let directStores: [UnsafeMutablePointer<Float>?]
    /// Whether row inputs are read from rows repeated in scratch (`tileRows`), which
    /// rows shorter than a block need.
    let tilesRows: Bool

    var sumCount: Int { summed.count }

    /// Prepares the pass of `step` that writes its stores, or its copies in place of its
    /// stores when `writesCopies` is set.
    init(_ step: FusedElementwise, _ inputs: [Tensor], _ outputs: [Tensor], writesCopies: Bool = false) {
        self.step = step
        let count = step.shape.reduce(1, *)
        let rowLength = max(step.shape.last ?? 1, 1)
        self.rowLength = rowLength
        self.inputs = inputs.map { $0.storage!.pointer(as: Float.self) }
        self.kinds = inputs.map { input in
            if input.dtype == .uint8 { return .bytes }
            if input.size == count { return .full }
            if input.size == 1 { return .scalar }
            let isColumn = input.size * rowLength == count && ElementwiseLoops.isColumn(input.shape, of: step.shape)
            return isColumn ? .column : .row
        }
        var stores = [Store]()
        var rowReductions = [RowReduction]()
        var rowStores = [Store]()
        var summed = [Summand]()
        var sums = [UnsafeMutablePointer<Float>]()
        for (result, output) in zip(step.results, outputs) {
            switch result {
            case .store(let instruction):
                if writesCopies { continue }
                stores.append(Store(instruction: instruction, pointer: output.storage!.pointer(as: Float.self)))
            case .copy(let instruction):
                if !writesCopies { continue }
                stores.append(Store(instruction: instruction, pointer: output.storage!.pointer(as: Float.self)))
            case .rowStore(let instruction):
                rowStores.append(Store(instruction: instruction, pointer: output.storage!.pointer(as: Float.self)))
            case .sum(let instruction):
                summed.append(.values(instruction))
                sums.append(output.storage!.pointer(as: Float.self))
            case .sumOfProducts(let left, let right):
                summed.append(.products(left, right))
                sums.append(output.storage!.pointer(as: Float.self))
            case .rowSum(let instruction):
                rowReductions.append(
                    RowReduction(instruction: instruction, isMaximum: nil, pointer: output.storage!.pointer(as: Float.self)))
            case .rowExtremum(let instruction, let isMaximum):
                rowReductions.append(
                    RowReduction(instruction: instruction, isMaximum: isMaximum, pointer: output.storage!.pointer(as: Float.self)))
            }
        }
        // An output that is also an input must wait until every instruction of a block
        // has read that input, so it keeps its copy from scratch.
        var directStores = [UnsafeMutablePointer<Float>?](repeating: nil, count: step.instructions.count)
        let inputPointers = self.inputs
        stores.removeAll { store in
            guard directStores[store.instruction] == nil, !inputPointers.contains(store.pointer) else { return false }
            directStores[store.instruction] = store.pointer
            return true
        }
        self.directStores = directStores
        self.tilesRows = rowLength < FusedElementwise.blockSize && self.kinds.contains(.row)
        self.stores = stores
        self.rowReductions = rowReductions
        self.rowStores = rowStores
        let hasRowInstructions = step.rowValued.contains(true)
        self.hasRowInstructions = hasRowInstructions
        self.rowValued = hasRowInstructions ? step.rowValued : []
        self.needsWholeRows = !rowReductions.isEmpty || !rowStores.isEmpty || hasRowInstructions
        self.rowSlotCapacity = hasRowInstructions ? FusedElementwise.blockSize / rowLength + 1 : 0
        self.summed = summed
        self.sums = sums
    }

    /// Returns where instruction `instruction`'s values for the block at `base` are: in
    /// its output when stored directly, else in its scratch block.
    @inline(__always)
    private func location(
        _ instruction: Int, _ base: Int, _ scratch: UnsafeMutablePointer<Float>
    ) -> UnsafeMutablePointer<Float> {
        if let output = directStores[instruction] { return output + base }
        return scratch + instruction * FusedElementwise.blockSize
    }

    /// Returns the start of input `index`'s slot in scratch, which holds a block of its
    /// values or, for a tiled row, the row repeated over a block and one more row.
    private func inputSlot(_ index: Int, _ scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        scratch + step.instructions.count * FusedElementwise.blockSize + index * inputSlotCapacity
    }

    private var inputSlotCapacity: Int { FusedElementwise.blockSize + (tilesRows ? rowLength : 0) }

    /// Fills each row input's slot with its row repeated, so that a block starting at
    /// any column reads its row values in place. Runs once per part.
    private func tileRows(_ scratch: UnsafeMutablePointer<Float>) {
        guard tilesRows else { return }
        for (index, kind) in kinds.enumerated() where kind == .row {
            let slot = inputSlot(index, scratch)
            var filled = 0
            while filled < inputSlotCapacity {
                let chunk = min(rowLength, inputSlotCapacity - filled)
                (slot + filled).update(from: inputs[index], count: chunk)
                filled += chunk
            }
        }
    }

    /// The scratch space of one thread, in floats: a block per instruction and a slot
    /// per input. Row and column inputs are copied into their slots.
    private var scratchCapacity: Int {
        step.instructions.count * (FusedElementwise.blockSize + rowSlotCapacity) + inputs.count * inputSlotCapacity
    }

    /// Returns where row-valued instruction `index` keeps its values for the block's
    /// rows, one float per row.
    private func rowSlot(_ index: Int, _ scratch: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        scratch + step.instructions.count * FusedElementwise.blockSize + inputs.count * inputSlotCapacity
            + index * rowSlotCapacity
    }

    /// Computes and stores the elements in `range`, block by block.
    /// The length of the blocks of `storeBlocks`: whole rows when rows are reduced.
    private var storeBlockLength: Int {
        needsWholeRows ? FusedElementwise.blockSize / rowLength * rowLength : FusedElementwise.blockSize
    }

    func storeBlocks(_ range: Range<Int>) {
        ScratchBuffers.withBuffer(capacity: scratchCapacity) { scratch in
            tileRows(scratch)
            var base = range.lowerBound
            while base < range.upperBound {
                let length = min(storeBlockLength, range.upperBound - base)
                runBlock(base, length, scratch)
                base += length
            }
        }
    }

    /// Sums the summed values over `range` as `Summation.pairwise` would over a tensor
    /// containing them, and stores the elements of stored values on the way.
    func sumPairwise(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        // After the blocks, one row of partial sums per recursion level. 64 rows suffice
        // because log2 of any count is below 64.
        let levelsCapacity = 64 * max(sumCount, 1)
        ScratchBuffers.withBuffer(capacity: scratchCapacity + levelsCapacity) { scratch in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 2 * max(sumCount, 1)) { summands in
                let levels = scratch + scratchCapacity
                tileRows(scratch)
                sumNode(range.lowerBound, range.count, out, levels, scratch, summands.baseAddress!)
            }
        }
    }

    /// Sums the node `start ..< start + count` into `out`. `summands` has room for two
    /// pointers per sum, the arguments of `weft_sums_pairwise_f32`.
    private func sumNode(
        _ start: Int, _ count: Int, _ out: UnsafeMutablePointer<Float>, _ levels: UnsafeMutablePointer<Float>,
        _ scratch: UnsafeMutablePointer<Float>, _ summands: UnsafeMutablePointer<UnsafePointer<Float>?>
    ) {
        if count <= FusedElementwise.blockSize {
            // The sums may read inputs, and a stored value may overwrite an input, so the
            // block's values are stored after its sums.
            runBlock(start, count, scratch, stores: false)
            // The sums of one block share the C kernel's leaf structure.
            let factors = summands + sumCount
            for (index, summand) in summed.enumerated() {
                switch summand {
                case .values(let instruction):
                    summands[index] = UnsafePointer(location(instruction, start, scratch))
                    factors[index] = nil
                case .products(let left, let right):
                    summands[index] = UnsafePointer(blockOperand(left, start, count, scratch).pointer)
                    factors[index] = UnsafePointer(blockOperand(right, start, count, scratch).pointer)
                }
            }
            var first = 0
            while first < sumCount {
                let batch = min(Int(WEFT_MAX_SUMS), sumCount - first)
                weft_sums_pairwise_f32(batch, summands + first, factors + first, count, out + first)
                first += batch
            }
            storeValues(start, count, scratch)
            return
        }
        let half = (count / 2) & ~7
        sumNode(start, half, out, levels + sumCount, scratch, summands)
        sumNode(start + half, count - half, levels, levels + sumCount, scratch, summands)
        for index in 0..<sumCount { out[index] = out[index] + levels[index] }
    }

    /// Runs every instruction on elements `base ..< base + length` (at most one block),
    /// leaving instruction `i`'s values at `location(i, base, scratch)`, then writes the
    /// other stored values unless `stores` is false. All reads of a block happen before
    /// its writes to outputs that share an input's buffer, so such a store may
    /// overwrite an input of the iteration shape.
    private func runBlock(_ base: Int, _ length: Int, _ scratch: UnsafeMutablePointer<Float>, stores: Bool = true) {
        for (index, instruction) in step.instructions.enumerated() {
            if hasRowInstructions && rowValued[index] {
                runRowInstruction(index, instruction, base, length, scratch)
                continue
            }
            let destination = location(index, base, scratch)
            switch instruction {
            case .unary(let operation, let source):
                let a = blockOperand(source, base, length, scratch)
                ElementwiseBlocks.unary(operation, a.pointer, a.scalar, destination, length)
            case .binary(let operation, let left, let right):
                let a = blockOperand(left, base, length, scratch)
                let b = blockOperand(right, base, length, scratch)
                ElementwiseBlocks.binary(operation, a.pointer, a.scalar, b.pointer, b.scalar, destination, length)
            case .scaleShift(let source, let scale, let shift, let subtracts):
                let a = blockOperand(source, base, length, scratch).pointer
                weft_scale_shift_f32(a, inputs[scale][0], inputs[shift][0], subtracts ? 1 : 0, destination, length)
            case .combineScale(let left, let right, let scale, let subtracts, let doubles):
                let a = blockOperand(left, base, length, scratch).pointer
                let b = blockOperand(right, base, length, scratch).pointer
                weft_combine_scale_f32(subtracts ? 1 : 0, doubles ? 1 : 0, a, b, inputs[scale][0], destination, length)
            case .convertBytes(let index):
                let bytes = UnsafeMutableRawPointer(inputs[index]).assumingMemoryBound(to: UInt8.self)
                weft_convert_u8_f32(bytes + base, destination, length)
            case .dividedBytes(let index, let divisor):
                let bytes = UnsafeMutableRawPointer(inputs[index]).assumingMemoryBound(to: UInt8.self)
                weft_convert_u8_divide_f32(bytes + base, inputs[divisor][0], destination, length)
            case .select(let mask, let onTrue, let onFalse):
                let m = blockOperand(mask, base, length, scratch).pointer
                let a = blockOperand(onTrue, base, length, scratch)
                let b = blockOperand(onFalse, base, length, scratch)
                ElementwiseBlocks.select(m, a.pointer, a.scalar, b.pointer, b.scalar, destination, length)
            case .rowReduction:
                preconditionFailure("fused_elementwise: a row reduction is a row-valued instruction")
            case .unused:
                break
            }
        }
        if stores { storeValues(base, length, scratch) }
    }

    /// Runs row-valued instruction `index` on the rows of the block at `base`, one value
    /// per row, and repeats its values along each row where whole-block instructions
    /// or stores read them.
    private func runRowInstruction(
        _ index: Int, _ instruction: FusedElementwise.Instruction, _ base: Int, _ length: Int,
        _ scratch: UnsafeMutablePointer<Float>
    ) {
        let firstRow = base / rowLength
        let rowCount = length / rowLength
        let destination = rowSlot(index, scratch)
        func operand(_ operand: FusedElementwise.Operand) -> (pointer: UnsafeMutablePointer<Float>, scalar: Float?) {
            rowOperand(operand, firstRow, scratch)
        }
        switch instruction {
        case .rowReduction(let source, let isMaximum):
            let a = blockOperand(source, base, length, scratch)
            if let scalar = a.scalar {
                let filled = location(index, base, scratch)
                filled.update(repeating: scalar, count: length)
                Self.reduce(filled, isMaximum, rowCount, rowLength, into: destination)
            } else {
                Self.reduce(a.pointer, isMaximum, rowCount, rowLength, into: destination)
            }
        case .unary(let operation, let source):
            let a = operand(source)
            ElementwiseBlocks.unary(operation, a.pointer, a.scalar, destination, rowCount)
        case .binary(let operation, let left, let right):
            let a = operand(left)
            let b = operand(right)
            ElementwiseBlocks.binary(operation, a.pointer, a.scalar, b.pointer, b.scalar, destination, rowCount)
        case .scaleShift(let source, let scale, let shift, let subtracts):
            weft_scale_shift_f32(operand(source).pointer, inputs[scale][0], inputs[shift][0], subtracts ? 1 : 0, destination, rowCount)
        case .combineScale(let left, let right, let scale, let subtracts, let doubles):
            let (a, b) = (operand(left).pointer, operand(right).pointer)
            weft_combine_scale_f32(subtracts ? 1 : 0, doubles ? 1 : 0, a, b, inputs[scale][0], destination, rowCount)
        case .select(let mask, let onTrue, let onFalse):
            let m = operand(mask).pointer
            let (a, b) = (operand(onTrue), operand(onFalse))
            ElementwiseBlocks.select(m, a.pointer, a.scalar, b.pointer, b.scalar, destination, rowCount)
        case .convertBytes, .dividedBytes:
            preconditionFailure("fused_elementwise: converted bytes have a value per element, not per row")
        case .unused:
            return
        }
        if step.readsRepeatedRows[index] {
            let repeated = location(index, base, scratch)
            for row in 0..<rowCount { (repeated + row * rowLength).update(repeating: destination[row], count: rowLength) }
        }
    }

    /// Returns the values of `operand` for the block's rows from `firstRow` on, one per
    /// row: a row-valued instruction's, a column input's, or a scalar with its value.
    private func rowOperand(
        _ operand: FusedElementwise.Operand, _ firstRow: Int, _ scratch: UnsafeMutablePointer<Float>
    ) -> (pointer: UnsafeMutablePointer<Float>, scalar: Float?) {
        switch operand {
        case .result(let index):
            precondition(rowValued[index], "fused_elementwise: a row-valued instruction reads a value per element")
            return (rowSlot(index, scratch), nil)
        case .input(let index):
            switch kinds[index] {
            case .scalar: return (inputs[index], inputs[index][0])
            case .column: return (inputs[index] + firstRow, nil)
            default: preconditionFailure("fused_elementwise: a row-valued instruction reads an input of another shape")
            }
        }
    }

    /// Writes the sum (`isMaximum` nil), maximum or minimum of each of `rowCount` rows of
    /// `rowLength` values into `out`, as the unfused reductions compute them.
    private static func reduce(
        _ values: UnsafeMutablePointer<Float>, _ isMaximum: Bool?, _ rowCount: Int, _ rowLength: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        switch isMaximum {
        case nil:
            Summation.pairwiseRows(values, rows: rowCount, length: rowLength, out)
        case true?:
            ReductionLayout.fold(values, out, rowCount, rowLength, 1, initial: -Float.infinity) {
                ($0 != $0 || $0 >= $1) ? $0 : $1
            }
        case false?:
            ReductionLayout.fold(values, out, rowCount, rowLength, 1, initial: Float.infinity) {
                ($0 != $0 || $0 <= $1) ? $0 : $1
            }
        }
    }

    /// Writes the stored values of elements `base ..< base + length` from `scratch`,
    /// and the reductions of its rows, which the block holds whole when rows are reduced.
    private func storeValues(_ base: Int, _ length: Int, _ scratch: UnsafeMutablePointer<Float>) {
        for store in self.stores {
            (store.pointer + base).update(from: location(store.instruction, base, scratch), count: length)
        }
        let firstRow = base / rowLength
        let rowCount = length / rowLength
        for reduction in rowReductions {
            let values = location(reduction.instruction, base, scratch)
            Self.reduce(values, reduction.isMaximum, rowCount, rowLength, into: reduction.pointer + firstRow)
        }
        for store in rowStores {
            (store.pointer + firstRow).update(from: rowSlot(store.instruction, scratch), count: rowCount)
        }
    }

    /// Returns a pointer to the values of `operand` for elements `base ..< base + length`,
    /// or, for a scalar input, a pointer to the scalar together with its value.
    private func blockOperand(
        _ operand: FusedElementwise.Operand, _ base: Int, _ length: Int, _ scratch: UnsafeMutablePointer<Float>
    ) -> (pointer: UnsafeMutablePointer<Float>, scalar: Float?) {
        switch operand {
        case .result(let index):
            return (location(index, base, scratch), nil)
        case .input(let index):
            let pointer = inputs[index]
            switch kinds[index] {
            case .full: return (pointer + base, nil)
            case .scalar: return (pointer, pointer[0])
            case .bytes: preconditionFailure("fused_elementwise: a uint8 input is read only by convertBytes and dividedBytes")
            case .column:
                // Row `r` of the iteration shape reads element `r`, repeated along the row.
                let gathered = inputSlot(index, scratch)
                var filled = 0
                var position = base
                while filled < length {
                    let row = position / rowLength
                    let chunk = min(rowLength - position % rowLength, length - filled)
                    (gathered + filled).update(repeating: pointer[row], count: chunk)
                    filled += chunk
                    position += chunk
                }
                return (gathered, nil)
            case .row:
                let start = base % rowLength
                if start + length <= rowLength { return (pointer + start, nil) }
                if tilesRows { return (inputSlot(index, scratch) + start, nil) }
                // The block crosses a row end, so copy the row's values in order: the
                // rest of the row from `start`, then whole rows, then a row's head.
                let gathered = inputSlot(index, scratch)
                var filled = 0
                var position = start
                while filled < length {
                    let chunk = min(rowLength - position, length - filled)
                    (gathered + filled).update(from: pointer + position, count: chunk)
                    filled += chunk
                    position = 0
                }
                return (gathered, nil)
            }
        }
    }
}

/// The float32 loops of fused passes over one block.
///
/// Invariant: `a`, `b` and `out` address `count` floats, except that an operand given
/// with its scalar addresses that one scalar. `out` does not overlap the inputs.
enum ElementwiseBlocks {
    @inline(__always)
    private static func map(
        _ a: UnsafeMutablePointer<Float>, _ scalar: Float?, _ out: UnsafeMutablePointer<Float>, _ count: Int,
        _ op: (Float) -> Float
    ) {
        if let scalar {
            let value = op(scalar)
            for i in 0..<count { out[i] = value }
        } else {
            for i in 0..<count { out[i] = op(a[i]) }
        }
    }

    // The same expressions as the float32 kernel of `ElementwiseUnary`.
    static func unary(
        _ operation: UnaryOperation, _ a: UnsafeMutablePointer<Float>, _ scalar: Float?,
        _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        if scalar == nil && VectorKernels.unary(operation, a, out, count) { return }
        switch operation {
        case .negate: map(a, scalar, out, count) { -$0 }
        case .exp: map(a, scalar, out, count) { expf($0) }
        case .log: map(a, scalar, out, count) { logf($0) }
        case .log1p: map(a, scalar, out, count) { log1pf($0) }
        case .expm1: map(a, scalar, out, count) { expm1f($0) }
        case .sqrt: map(a, scalar, out, count) { $0.squareRoot() }
        case .rsqrt: map(a, scalar, out, count) { 1 / $0.squareRoot() }
        case .abs: map(a, scalar, out, count) { Swift.abs($0) }
        case .sign: map(a, scalar, out, count) { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
        case .sin: map(a, scalar, out, count) { sinf($0) }
        case .cos: map(a, scalar, out, count) { cosf($0) }
        case .tanh: map(a, scalar, out, count) { tanhf($0) }
        case .logistic: map(a, scalar, out, count) { 1 / (1 + expf(-$0)) }
        case .relu: map(a, scalar, out, count) { $0 < 0 ? 0 : $0 }
        case .floor: map(a, scalar, out, count) { $0.rounded(.down) }
        case .ceil: map(a, scalar, out, count) { $0.rounded(.up) }
        case .round: map(a, scalar, out, count) { $0.rounded(.toNearestOrEven) }
        case .erf: map(a, scalar, out, count) { erff($0) }
        case .logicalNot: preconditionFailure("fused_elementwise: not is not defined for float32")
        }
    }

    /// Writes `onTrue` where `mask` is nonzero and `onFalse` elsewhere, as the `select_n`
    /// kernel picks between its branches.
    static func select(
        _ mask: UnsafeMutablePointer<Float>, _ onTrue: UnsafeMutablePointer<Float>, _ trueScalar: Float?,
        _ onFalse: UnsafeMutablePointer<Float>, _ falseScalar: Float?, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        switch (trueScalar, falseScalar) {
        case (let x?, let y?):
            for i in 0..<count { out[i] = mask[i] != 0 ? x : y }
        case (let x?, nil):
            for i in 0..<count { out[i] = mask[i] != 0 ? x : onFalse[i] }
        case (nil, let y?):
            for i in 0..<count { out[i] = mask[i] != 0 ? onTrue[i] : y }
        case (nil, nil):
            for i in 0..<count { out[i] = mask[i] != 0 ? onTrue[i] : onFalse[i] }
        }
    }

    @inline(__always)
    private static func zip(
        _ a: UnsafeMutablePointer<Float>, _ aScalar: Float?, _ b: UnsafeMutablePointer<Float>, _ bScalar: Float?,
        _ out: UnsafeMutablePointer<Float>, _ count: Int, _ op: (Float, Float) -> Float
    ) {
        switch (aScalar, bScalar) {
        case (let x?, let y?):
            let value = op(x, y)
            for i in 0..<count { out[i] = value }
        case (let x?, nil):
            for i in 0..<count { out[i] = op(x, b[i]) }
        case (nil, let y?):
            for i in 0..<count { out[i] = op(a[i], y) }
        case (nil, nil):
            for i in 0..<count { out[i] = op(a[i], b[i]) }
        }
    }

    // The same expressions as the float32 arithmetic of `ElementwiseBinary`.
    static func binary(
        _ operation: BinaryOperation, _ a: UnsafeMutablePointer<Float>, _ aScalar: Float?,
        _ b: UnsafeMutablePointer<Float>, _ bScalar: Float?, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        // A scalar operand's pointer addresses that scalar, so the C loop can read it.
        if VectorKernels.binary(operation, a, aIsScalar: aScalar != nil, b, bIsScalar: bScalar != nil, out, count) {
            return
        }
        switch operation {
        case .add: zip(a, aScalar, b, bScalar, out, count) { $0 + $1 }
        case .subtract: zip(a, aScalar, b, bScalar, out, count) { $0 - $1 }
        case .multiply: zip(a, aScalar, b, bScalar, out, count) { $0 * $1 }
        case .divide: zip(a, aScalar, b, bScalar, out, count) { $0 / $1 }
        case .maximum: zip(a, aScalar, b, bScalar, out, count) { ($0 != $0 || $0 > $1) ? $0 : $1 }
        case .minimum: zip(a, aScalar, b, bScalar, out, count) { ($0 != $0 || $0 < $1) ? $0 : $1 }
        // A comparison gives 1 where it is true and 0 elsewhere: the bool result
        // converted to float32, the form of a mask such as relu's derivative in a pass.
        case .equal: zip(a, aScalar, b, bScalar, out, count) { $0 == $1 ? 1 : 0 }
        case .notEqual: zip(a, aScalar, b, bScalar, out, count) { $0 != $1 ? 1 : 0 }
        case .less: zip(a, aScalar, b, bScalar, out, count) { $0 < $1 ? 1 : 0 }
        case .lessEqual: zip(a, aScalar, b, bScalar, out, count) { $0 <= $1 ? 1 : 0 }
        case .greater: zip(a, aScalar, b, bScalar, out, count) { $0 > $1 ? 1 : 0 }
        case .greaterEqual: zip(a, aScalar, b, bScalar, out, count) { $0 >= $1 ? 1 : 0 }
        default: preconditionFailure("fused_elementwise: \(operation.jaxName) is not fused")
        }
    }
}

extension FusedElementwise {
    /// Returns `instructions` and `results` with five patterns merged, each saving one
    /// pass over a block. The sum of a product that nothing else reads becomes
    /// `sumOfProducts`. A multiply by a scalar followed by adding or subtracting a
    /// scalar becomes `scaleShift`. An addition or subtraction of two blocks followed by
    /// a multiply by a scalar becomes `combineScale`, and adding that value to itself
    /// joins the same loop. Converted bytes divided by a scalar become `dividedBytes`.
    /// The merged forms round the same operations in the same order, and addition and
    /// multiplication commute exactly, so the bits stay equal.
    /// `scalarInputs` are the indices of the inputs holding one element. Instructions
    /// merge only with instructions of the same kind in `rowValued` (one value per
    /// element or per row).
    static func simplified(
        _ instructions: [Instruction], _ results: [Output], scalarInputs: Set<Int>, rowValued: [Bool]? = nil
    ) -> (instructions: [Instruction], results: [Output]) {
        let rowValued = rowValued ?? [Bool](repeating: false, count: instructions.count)
        var instructions = instructions
        var results = results

        func isScalar(_ operand: Operand) -> Bool {
            if case .input(let index) = operand { return scalarInputs.contains(index) }
            return false
        }

        for (position, result) in results.enumerated() {
            let readers = readerCounts(instructions, results)
            guard case .sum(let index) = result, readers[index] == 1,
                case .binary(.multiply, let left, let right) = instructions[index], !isScalar(left), !isScalar(right)
            else { continue }
            results[position] = .sumOfProducts(left, right)
            instructions[index] = .unused
        }

        for index in instructions.indices {
            guard case .binary(let operation, let left, let right) = instructions[index],
                operation == .add || operation == .subtract
            else { continue }
            // The product and the shift: `product + shift`, `shift + product` or `product - shift`.
            var pairs = [(product: left, shift: right)]
            if operation == .add { pairs.append((product: right, shift: left)) }
            let readers = readerCounts(instructions, results)
            for pair in pairs {
                guard case .result(let product) = pair.product, readers[product] == 1, rowValued[product] == rowValued[index],
                    case .input(let shift) = pair.shift, scalarInputs.contains(shift),
                    case .binary(.multiply, let x, let y) = instructions[product], isScalar(x) != isScalar(y),
                    case .input(let scale) = isScalar(x) ? x : y
                else { continue }
                instructions[index] = .scaleShift(isScalar(x) ? y : x, scale: scale, shift: shift, subtracts: operation == .subtract)
                instructions[product] = .unused
                break
            }
        }
        for index in instructions.indices {
            guard case .binary(.multiply, let left, let right) = instructions[index], isScalar(left) != isScalar(right),
                case .input(let scale) = isScalar(left) ? left : right,
                case .result(let combined) = isScalar(left) ? right : left, rowValued[combined] == rowValued[index],
                readerCounts(instructions, results)[combined] == 1,
                case .binary(let operation, let a, let b) = instructions[combined],
                operation == .add || operation == .subtract, !isScalar(a), !isScalar(b)
            else { continue }
            instructions[index] = .combineScale(a, b, scale: scale, subtracts: operation == .subtract, doubles: false)
            instructions[combined] = .unused
        }

        // Bytes converted and divided by a scalar, where nothing else reads the conversion.
        for index in instructions.indices {
            guard case .binary(.divide, .result(let converted), .input(let divisor)) = instructions[index],
                scalarInputs.contains(divisor), case .convertBytes(let bytes) = instructions[converted],
                rowValued[converted] == rowValued[index],
                readerCounts(instructions, results)[converted] == 1
            else { continue }
            instructions[index] = .dividedBytes(bytes, divisor: divisor)
            instructions[converted] = .unused
        }

        // `r + r` where nothing else reads `r`: the loop that computes `r` adds it to itself.
        for index in instructions.indices {
            guard case .binary(.add, .result(let source), .result(let other)) = instructions[index], source == other,
                rowValued[source] == rowValued[index],
                readerCounts(instructions, results)[source] == 2,
                case .combineScale(let a, let b, let scale, let subtracts, false) = instructions[source]
            else { continue }
            instructions[index] = .combineScale(a, b, scale: scale, subtracts: subtracts, doubles: true)
            instructions[source] = .unused
        }
        return (instructions, results)
    }

    /// Returns `instructions` without its `unused` ones, and `results` and `rowValued`
    /// with the instruction indices renumbered to match.
    static func compacted(
        _ instructions: [Instruction], _ results: [Output], _ rowValued: [Bool]
    ) -> (instructions: [Instruction], results: [Output], rowValued: [Bool]) {
        var newIndex = [Int](repeating: -1, count: instructions.count)
        var liveInstructions = [Instruction]()
        var liveRowValued = [Bool]()
        for (index, instruction) in instructions.enumerated() {
            if case .unused = instruction { continue }
            newIndex[index] = liveInstructions.count
            liveInstructions.append(instruction)
            liveRowValued.append(rowValued[index])
        }
        if liveInstructions.count == instructions.count { return (instructions, results, rowValued) }

        func renumbered(_ index: Int) -> Int {
            precondition(newIndex[index] >= 0, "fused_elementwise: instruction \(index) is unused but still read")
            return newIndex[index]
        }
        return (liveInstructions.map { $0.renumbered(renumbered) }, results.map { $0.renumbered(renumbered) }, liveRowValued)
    }

    /// Returns the operands that `instruction` reads.
    static func operands(of instruction: Instruction) -> [Operand] {
        switch instruction {
        case .unary(_, let source), .scaleShift(let source, _, _, _), .rowReduction(let source, _): return [source]
        case .binary(_, let left, let right), .combineScale(let left, let right, _, _, _): return [left, right]
        case .select(let mask, let onTrue, let onFalse): return [mask, onTrue, onFalse]
        case .convertBytes, .dividedBytes, .unused: return []
        }
    }

    /// Counts the reads of each instruction's value by instructions and outputs.
    private static func readerCounts(_ instructions: [Instruction], _ results: [Output]) -> [Int] {
        var counts = [Int](repeating: 0, count: instructions.count)
        func read(_ operand: Operand) {
            if case .result(let index) = operand { counts[index] += 1 }
        }
        for instruction in instructions {
            for operand in operands(of: instruction) { read(operand) }
        }
        for result in results {
            switch result {
            case .store(let index), .sum(let index), .rowSum(let index), .rowExtremum(let index, _), .copy(let index),
                .rowStore(let index):
                counts[index] += 1
            case .sumOfProducts(let left, let right):
                read(left)
                read(right)
            }
        }
        return counts
    }
}

extension FusedElementwise.Operand {
    /// This operand with an instruction's index passed through `renumber`.
    func renumbered(_ renumber: (Int) -> Int) -> Self {
        switch self {
        case .input: self
        case .result(let index): .result(renumber(index))
        }
    }
}

extension FusedElementwise.Instruction {
    /// This instruction with the indices of the instructions it reads passed through
    /// `renumber`.
    func renumbered(_ renumber: (Int) -> Int) -> Self {
        switch self {
        case .unary(let operation, let source):
            .unary(operation, source.renumbered(renumber))
        case .binary(let operation, let left, let right):
            .binary(operation, left.renumbered(renumber), right.renumbered(renumber))
        case .scaleShift(let source, let scale, let shift, let subtracts):
            .scaleShift(source.renumbered(renumber), scale: scale, shift: shift, subtracts: subtracts)
        case .combineScale(let left, let right, let scale, let subtracts, let doubles):
            .combineScale(
                left.renumbered(renumber), right.renumbered(renumber), scale: scale, subtracts: subtracts, doubles: doubles)
        case .select(let mask, let onTrue, let onFalse):
            .select(mask: mask.renumbered(renumber), onTrue: onTrue.renumbered(renumber), onFalse: onFalse.renumbered(renumber))
        case .rowReduction(let source, let isMaximum):
            .rowReduction(source.renumbered(renumber), isMaximum: isMaximum)
        case .convertBytes, .dividedBytes, .unused:
            self
        }
    }
}

extension FusedElementwise.Output {
    /// This output with the index of the instruction it reads passed through `renumber`.
    func renumbered(_ renumber: (Int) -> Int) -> Self {
        switch self {
        case .store(let index): .store(renumber(index))
        case .sum(let index): .sum(renumber(index))
        case .sumOfProducts(let left, let right): .sumOfProducts(left.renumbered(renumber), right.renumbered(renumber))
        case .rowSum(let index): .rowSum(renumber(index))
        case .rowExtremum(let index, let isMaximum): .rowExtremum(renumber(index), isMaximum: isMaximum)
        case .copy(let index): .copy(renumber(index))
        case .rowStore(let index): .rowStore(renumber(index))
        }
    }
}
