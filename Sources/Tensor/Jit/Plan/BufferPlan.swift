/// The assignment of each step's outputs to buffers, decided when a plan is compiled.
///
/// Values produced by destination-passing kernels get buffers, and a buffer is reused
/// for a later value once the last step that may read its current value has run.
/// Kernels that are not destination-passing allocate their own outputs, which may share
/// storage with their inputs (a reshape returns a view), so their inputs stay live as
/// long as those outputs.
struct BufferPlan {
    enum Kind: Equatable {
        /// Allocated on the first call and kept by the plan for later calls.
        case persistent
        /// Allocated on every call, because a value in it is returned to the caller.
        case perCall
        /// The storage of donated input leaf `input`, or a new storage on calls where
        /// that storage cannot be written.
        case donated(input: Int)
    }

    struct Buffer {
        let kind: Kind
        let byteCount: Int
    }

    let buffers: [Buffer]

    /// For each step, the buffer of each output, or `nil` for a step whose kernel
    /// allocates its own outputs.
    let destinations: [[Int]?]

    /// Assigns buffers to the outputs of `steps`. `donatedInputs` are positions in
    /// `inputSlots` whose storage may be overwritten once their value is not read again.
    init(
        steps: [ExecutionPlan.Step], inputSlots: [Int], inputTypes: [TensorType], outputSlots: [Int], slotCount: Int,
        donatedInputs: Set<Int>
    ) {
        let forever = steps.count

        // The last step that may read each slot, directly or through an output of a
        // kernel that allocates its own outputs and may return a view of its inputs.
        // Returned slots are read after every step; -1 marks a slot nothing reads.
        var lastUse = [Int](repeating: -1, count: slotCount)
        for slot in outputSlots { lastUse[slot] = forever }
        for index in steps.indices.reversed() {
            let step = steps[index]
            var reach = index
            if step.destinationKernel == nil {
                for output in step.outputs { reach = max(reach, lastUse[output]) }
            }
            for input in step.inputs { lastUse[input] = max(lastUse[input], reach) }
        }

        var buffers = [Buffer]()
        var bufferOf = [Int: Int]()  // slot -> buffer
        var ownerOf = [Int: Int]()  // buffer -> the slot whose value it contains now
        var free = [Int: [Int]]()  // byte count -> buffers
        var releaseAfter = [[Int]](repeating: [], count: steps.count)  // step -> slots

        func hold(_ buffer: Int, for slot: Int, at index: Int) {
            bufferOf[slot] = buffer
            ownerOf[buffer] = slot
            let last = max(lastUse[slot], index)
            if last < forever { releaseAfter[last].append(slot) }
        }

        for position in donatedInputs.sorted() {
            let type = inputTypes[position]
            buffers.append(Buffer(kind: .donated(input: position), byteCount: type.size * type.dtype.byteSize))
            let slot = inputSlots[position]
            bufferOf[slot] = buffers.count - 1
            ownerOf[buffers.count - 1] = slot
            if lastUse[slot] < 0 {
                free[buffers[buffers.count - 1].byteCount, default: []].append(buffers.count - 1)
            } else if lastUse[slot] < forever {
                releaseAfter[lastUse[slot]].append(slot)
            }
        }

        // Buffers whose current value was last read by step `index` become free.
        func releaseBuffers(after index: Int) {
            for slot in releaseAfter[index] {
                if let buffer = bufferOf[slot], ownerOf[buffer] == slot {
                    ownerOf[buffer] = nil
                    free[buffers[buffer].byteCount, default: []].append(buffer)
                }
            }
        }

        var destinations = [[Int]?]()
        for (index, step) in steps.enumerated() {
            guard let kernel = step.destinationKernel else {
                destinations.append(nil)
                releaseBuffers(after: index)
                continue
            }
            var assigned = [Int]()
            for (outputIndex, (output, type)) in zip(step.outputs, step.outputTypes).enumerated() {
                let byteCount = type.size * type.dtype.byteSize
                let escapes = lastUse[output] == forever
                // A returned value may not go into a buffer that the plan keeps.
                func usable(_ buffer: Int) -> Bool {
                    let candidate = buffers[buffer]
                    guard candidate.byteCount == byteCount, !assigned.contains(buffer) else { return false }
                    return !(escapes && candidate.kind == .persistent) && candidate.kind != .perCall
                }

                var chosen: Int?
                // A pointwise kernel may write over an input of the output's shape and
                // element size that nothing reads after this step.
                if kernel.isPointwise {
                    for (inputIndex, (input, inputType)) in zip(step.inputs, step.inputTypes).enumerated()
                    where inputType.shape == type.shape && inputType.dtype.byteSize == type.dtype.byteSize
                        && lastUse[input] == index && kernel.mayWrite(output: outputIndex, over: inputIndex)
                    {
                        if let buffer = bufferOf[input], ownerOf[buffer] == input, usable(buffer) {
                            chosen = buffer
                            break
                        }
                    }
                }
                if chosen == nil, let position = free[byteCount]?.lastIndex(where: usable) {
                    chosen = free[byteCount]!.remove(at: position)
                }
                let buffer: Int
                if let chosen {
                    buffer = chosen
                } else {
                    buffers.append(Buffer(kind: escapes ? .perCall : .persistent, byteCount: byteCount))
                    buffer = buffers.count - 1
                }
                assigned.append(buffer)
                hold(buffer, for: output, at: index)
            }
            destinations.append(assigned)
            releaseBuffers(after: index)
        }
        self.buffers = buffers
        self.destinations = destinations
    }
}
