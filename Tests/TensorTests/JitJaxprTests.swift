import Testing
@testable import Tensor

/// Golden jaxpr strings. Where a case is marked "as JAX prints it", the expected text is
/// the output of `jax.make_jaxpr` for the same function in JAX 0.10.2. The other cases
/// state how Weft's graph differs.
@Suite struct JitJaxprTests {
    /// JAX 0.10.2 adds `convert_element_type[new_dtype=float32 weak_type=False]` of the
    /// weakly typed `log 2.0` before `div`, but Weft promotes weak scalars before binding.
    @Test func logBaseTwo() {
        let graph = makeJaxpr({ (x: Tensor) in log(x) / log(2.0) })(Tensor(Float(3)))
        #expect(graph.description == """
            { lambda ; a:f32[]. let
                b:f32[] = log a
                c:f32[] = log 2.0:f32[]
                d:f32[] = div b c
              in (d,) }
            """)
    }

    /// As JAX prints it: the captured vector is a constant variable before the `;`
    /// and the scalar is a literal.
    @Test func capturedConstant() {
        let offsets = Tensor([0, 1, 2] as [Float])
        let graph = makeJaxpr({ (x: Tensor) in x * offsets + 1.0 })(Tensor.ones([3]))
        #expect(graph.description == """
            { lambda a:f32[3]; b:f32[3]. let
                c:f32[3] = mul b a
                d:f32[3] = add c 1.0:f32[]
              in (d,) }
            """)
        #expect(graph.constants.count == 1)
        #expect(graph.constants[0].floats == [0, 1, 2])
    }

    /// As JAX prints it: a graph that fits in 80 columns is printed on one line.
    @Test func capturedScalarIsLiteral() {
        let scale = Tensor(Float(5))
        let graph = makeJaxpr({ (x: Tensor) in x * scale })(Tensor.ones([3]))
        #expect(graph.description == "{ lambda ; a:f32[3]. let b:f32[3] = mul a 5.0:f32[] in (b,) }")
        #expect(graph.constants.isEmpty)
    }

    /// JAX 0.10.2 inserts `broadcast_in_dim[broadcast_dimensions=(1,)]` for each bias
    /// before `add` and prints log-softmax as a nested `jit`, while Weft's `add`
    /// broadcasts and `logSoftmax` is inlined. Weft's `select_n` takes the condition, the value
    /// where it holds, then the other value (JAX's lists the false case first).
    @Test func mlpForwardPass() {
        let mlp = { (w1: Tensor, b1: Tensor, rest: [Tensor]) -> Tensor in
            let (w2, b2, x) = (rest[0], rest[1], rest[2])
            let hidden = tanh(matmul(x, w1) + b1)
            return logSoftmax(matmul(hidden, w2) + b2)
        }
        let graph = makeJaxpr(mlp)(Tensor.ones([4, 8]), Tensor.ones([8]), [Tensor.ones([8, 3]), Tensor.ones([3]), Tensor.ones([2, 4])])
        #expect(graph.description == """
            { lambda ; a:f32[4,8] b:f32[8] c:f32[8,3] d:f32[3] e:f32[2,4]. let
                f:f32[2,8] = dot_general[
                  dimension_numbers=(([1], [0]), ([], []))
                  preferred_element_type=float32
                ] e a
                g:f32[2,8] = add f b
                h:f32[2,8] = tanh g
                i:f32[2,3] = dot_general[
                  dimension_numbers=(([1], [0]), ([], []))
                  preferred_element_type=float32
                ] h c
                j:f32[2,3] = add i d
                k:f32[2] = reduce_max[axes=(1,)] j
                l:f32[2,1] = reshape[dimensions=None new_sizes=(2, 1) sharding=None] k
                m:f32[2,1] = stop_gradient l
                n:f32[2,1] = abs m
                o:bool[2,1] = lt n inf:f32[]
                p:f32[2,1] = select_n o m 0.0:f32[]
                q:f32[2,3] = sub j p
                r:f32[2,3] = exp q
                s:f32[2] = reduce_sum[axes=(1,) out_sharding=None] r
                t:f32[2,1] = reshape[dimensions=None new_sizes=(2, 1) sharding=None] s
                u:f32[2,1] = log t
                v:f32[2,3] = sub q u
              in (v,) }
            """)
    }

    /// As JAX prints it.
    @Test func reductionsAndReshape() {
        let graph = makeJaxpr({ (x: Tensor) in x.sum(axis: 1).reshaped([2, 1]).transposed() })(Tensor.ones([2, 3]))
        #expect(graph.description == """
            { lambda ; a:f32[2,3]. let
                b:f32[2] = reduce_sum[axes=(1,) out_sharding=None] a
                c:f32[2,1] = reshape[dimensions=None new_sizes=(2, 1) sharding=None] b
                d:f32[1,2] = transpose[permutation=(1, 0)] c
              in (d,) }
            """)
    }

    /// As JAX prints it.
    @Test func castsMaxAndMean() {
        let graph = makeJaxpr({ (x: Tensor) in x.astype(.int32).astype(.float32).max(axis: 0) + x.mean() })(
            Tensor.ones([2, 3]))
        #expect(graph.description == """
            { lambda ; a:f32[2,3]. let
                b:i32[2,3] = convert_element_type[new_dtype=int32 weak_type=False] a
                c:f32[2,3] = convert_element_type[new_dtype=float32 weak_type=False] b
                d:f32[3] = reduce_max[axes=(0,)] c
                e:f32[] = reduce_sum[axes=(0, 1) out_sharding=None] a
                f:f32[] = div e 6.0:f32[]
                g:f32[3] = add d f
              in (g,) }
            """)
    }

    /// As JAX prints it: `a @ b.T` is a transpose followed by the product.
    @Test func transposedMatmulAndBroadcast() {
        let product = makeJaxpr({ (a: Tensor, b: Tensor) in matmul(a, b.transposed()) })(Tensor.ones([2, 3]), Tensor.ones([4, 3]))
        #expect(product.description == """
            { lambda ; a:f32[2,3] b:f32[4,3]. let
                c:f32[3,4] = transpose[permutation=(1, 0)] b
                d:f32[2,4] = dot_general[
                  dimension_numbers=(([1], [0]), ([], []))
                  preferred_element_type=float32
                ] a c
              in (d,) }
            """)

        let batched = makeJaxpr({ (a: Tensor, b: Tensor) in matmul(a, b) })(Tensor.ones([5, 2, 3]), Tensor.ones([5, 3, 4]))
        #expect(batched.description == """
            { lambda ; a:f32[5,2,3] b:f32[5,3,4]. let
                c:f32[5,2,4] = dot_general[
                  dimension_numbers=(([2], [1]), ([0], [0]))
                  preferred_element_type=float32
                ] a b
              in (c,) }
            """)

        let broadcast = makeJaxpr({ (x: Tensor) in x.broadcast(to: [4, 3]) })(Tensor.ones([3]))
        #expect(broadcast.description == """
            { lambda ; a:f32[3]. let
                b:f32[4,3] = broadcast_in_dim[broadcast_dimensions=(1,)] a
              in (b,) }
            """)
    }

    /// As JAX prints it: an identity has no equations.
    @Test func identityFunction() {
        let graph = makeJaxpr({ (x: Tensor) in x })(Tensor.ones([2, 3]))
        #expect(graph.description == "{ lambda ; a:f32[2,3]. let  in (a,) }")
    }

    /// As JAX prints it: the input list wraps at 80 columns with a 4-space indent.
    @Test func longInputListWraps() {
        let graph = makeJaxprFlat({ inputs in [inputs.dropFirst().reduce(inputs[0], +)] })(
            [Tensor](repeating: Tensor.ones([2, 3]), count: 9))
        #expect(graph.description == """
            { lambda ; a:f32[2,3] b:f32[2,3] c:f32[2,3] d:f32[2,3] e:f32[2,3] f:f32[2,3] g:f32[2,3]
                h:f32[2,3] i:f32[2,3]. let
                j:f32[2,3] = add a b
                k:f32[2,3] = add j c
                l:f32[2,3] = add k d
                m:f32[2,3] = add l e
                n:f32[2,3] = add m f
                o:f32[2,3] = add n g
                p:f32[2,3] = add o h
                q:f32[2,3] = add p i
              in (q,) }
            """)
    }

    /// As JAX prints it: after `z` come `ba`, `bb`, ...
    @Test func variableNamesPastZ() {
        let graph = makeJaxpr({ (x: Tensor) in (0..<30).reduce(x) { value, _ in sin(value) } })(Tensor.ones([2]))
        let lines = graph.description.split(separator: "\n")
        #expect(lines[25] == "    z:f32[2] = sin y")
        #expect(lines[26] == "    ba:f32[2] = sin z")
        #expect(lines.last == "  in (be,) }")
        #expect(JaxprPrinter.alphabeticName(0) == "a")
        #expect(JaxprPrinter.alphabeticName(25) == "z")
        #expect(JaxprPrinter.alphabeticName(26) == "ba")
        #expect(JaxprPrinter.alphabeticName(27 * 26) == "bba")
    }

    /// As JAX prints them: literals of each dtype, float32 values widened to a double.
    @Test func literalSpelling() {
        let graph = makeJaxpr({ (x: Tensor) in
            [x * 3, x * Float(0.1), x .> Float.infinity, Tensor(Int32(7)) + 1]
        })(Tensor.ones([2, 3]))
        #expect(graph.description == """
            { lambda ; a:f32[2,3]. let
                b:f32[2,3] = mul a 3.0:f32[]
                c:f32[2,3] = mul a 0.10000000149011612:f32[]
                d:bool[2,3] = gt a inf:f32[]
                e:i32[] = add 7:i32[] 1:i32[]
              in (b, c, d, e) }
            """)
    }

    /// As JAX prints it: a product of int32 operands keeps int32.
    @Test func integerProduct() {
        let graph = makeJaxpr({ (x: Tensor) in matmul(x.astype(.int32), x.transposed().astype(.int32)) })(Tensor.ones([2, 3]))
        #expect(graph.description == """
            { lambda ; a:f32[2,3]. let
                b:i32[2,3] = convert_element_type[new_dtype=int32 weak_type=False] a
                c:f32[3,2] = transpose[permutation=(1, 0)] a
                d:i32[3,2] = convert_element_type[new_dtype=int32 weak_type=False] c
                e:i32[2,2] = dot_general[
                  dimension_numbers=(([1], [0]), ([], []))
                  preferred_element_type=int32
                ] b d
              in (e,) }
            """)
    }

    @Test func treeArgumentsFlattenInOrder() {
        let parameters: [String: Tensor] = ["w": Tensor.ones([3, 2]), "b": Tensor.zeros([2])]
        let graph = makeJaxpr({ (p: [String: Tensor], x: Tensor) in matmul(x, p["w"]!) + p["b"]! })(parameters, Tensor.ones([4, 3]))
        // Dictionary keys are visited in sorted order: b, then w.
        #expect(graph.inputVariables.map(\.type.description) == ["f32[2]", "f32[3,2]", "f32[4,3]"])
        #expect(graph.outputTypes == [TensorType(shape: [4, 2], dtype: .float32)])
    }

    @Test func abstractInputTypes() {
        let graph = makeJaxprFlat({ [exp($0[0])] }, inputTypes: [TensorType(shape: [1000, 1000], dtype: .float32)])
        #expect(graph.description == "{ lambda ; a:f32[1000,1000]. let b:f32[1000,1000] = exp a in (b,) }")
    }

    @Test func gradientGraph() {
        let df: (Tensor) -> Tensor = grad { (x: Tensor) in (x * x).sum() }
        let graph = makeJaxpr(df)(Tensor.ones([3]))
        #expect(graph.inputVariables.count == 1)
        #expect(graph.outputTypes == [TensorType(shape: [3], dtype: .float32)])
        #expect(graph.equations.contains { $0.primitive.name == "mul" })
    }
}

/// The layout engine against `jax._src.pretty_printer` (JAX 0.10.2) on the same
/// documents: text `t`, breaks `b`, groups `g`, nesting `n`.
@Suite struct PrettyDocumentTests {
    private typealias Document = PrettyDocument

    private func group(_ parts: Document...) -> Document { .group(.concatenation(parts)) }

    @Test func groupMeasuresOnlyItself() {
        let document: Document = .concatenation([group(.text("aaaa"), .lineBreak(" "), .text("bb")), .text("cccccccccc")])
        #expect(document.formatted(width: 10) == "aaaa bbcccccccccc")
        let whole = group(.text("aaaa"), .lineBreak(" "), .text("bb"), .text("cccccccccc"))
        #expect(whole.formatted(width: 10) == "aaaa\nbbcccccccccc")
    }

    @Test func innerGroupsDecideAgain() {
        let inner = group(.text("x"), .lineBreak(" "), .text("y"))
        #expect(group(.text("a"), .lineBreak(" "), inner, .lineBreak(" "), .text("z")).formatted(width: 20) == "a x y z")
        #expect(group(.text("a"), .lineBreak(" "), inner, .lineBreak(" "), .text("z")).formatted(width: 6) == "a\nx y\nz")
        let nested = Document.group(.nest(2, .concatenation([.text("aaaaa"), .lineBreak(" "), inner, .lineBreak(" "), .text("zzzzzzzzzz")])))
        #expect(nested.formatted(width: 8) == "aaaaa\n  x y\n  zzzzzzzzzz")
        let afterText = group(.text("aaaaaaa"), .lineBreak(" "), group(.text("b"), .lineBreak(" "), .text("c")), .text("ddddd"))
        #expect(afterText.formatted(width: 10) == "aaaaaaa\nb cddddd")
    }

    @Test func breakOutsideGroupIsNewline() {
        #expect(Document.concatenation([.text("a"), .lineBreak(" "), .text("b")]).formatted(width: 80) == "a\nb")
    }

    @Test func exactFitStaysFlat() {
        #expect(group(.text("aaaa"), .lineBreak(" "), .text("bbbb")).formatted(width: 9) == "aaaa bbbb")
        #expect(group(.text("aaaa"), .lineBreak(" "), .text("bbbb")).formatted(width: 8) == "aaaa\nbbbb")
    }

    @Test func nestIndentsAfterBreak() {
        let document = group(.text("{"), .nest(2, .concatenation([.lineBreak(" "), .text("xxxxxxxxxxxxxxxx")])), .lineBreak(" "), .text("}"))
        #expect(document.formatted(width: 10) == "{\n  xxxxxxxxxxxxxxxx\n}")
    }
}
