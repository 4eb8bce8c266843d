import Tensor

/// Linear regression `y ≈ w x + b` fitted by gradient descent on the mean squared error.
///
/// The data are `count` points with `x` uniform in [0, 1) and `y = 4x + 1` plus standard
/// normal noise, both drawn from the same key, as the JAX reference program does. The
/// data tensors are captured by `update`, so under `jit` they are constants of the graph.
public struct LinearRegression: Sendable {
    /// The parameters `w` and `b`, float32 scalars.
    public typealias Parameters = [String: Tensor]

    /// The inputs, float32 `[count]`.
    public let x: Tensor
    /// The targets, float32 `[count]`.
    public let y: Tensor
    /// The gradient-descent step size.
    public let learningRate: Float

    /// The starting point of every fit: `w = 1`, `b = 0`.
    public static var initialParameters: Parameters { ["w": Tensor(Float(1)), "b": Tensor(Float(0))] }

    /// Draws the data from `key`.
    public init(count: Int = 1_000_000, learningRate: Float = 0.01, key: PRNGKey = PRNGKey(1)) {
        x = uniform(key, shape: [count])
        y = x * 4 + 1 + normal(key, shape: [count])
        self.learningRate = learningRate
    }

    /// Returns the mean squared error of `params` on the data, a float32 scalar.
    public func loss(_ params: Parameters) -> Tensor {
        let error = x * params["w"]! + params["b"]! - y
        return (error * error).mean()
    }

    /// Returns `params` after one gradient-descent step on `loss`.
    public func update(_ params: Parameters) -> Parameters {
        let gradients = grad(loss)(params)
        return treeMap(params, gradients) { value, gradient in value - gradient * learningRate }
    }

    /// Returns `update` compiled with `jit`.
    public func makeJittedUpdate() -> (Parameters) -> Parameters {
        jit(update, name: "the linear-regression update")
    }

    /// Returns a jitted function that runs `steps` updates in one `forLoop`, so the whole
    /// fit is one compiled plan.
    public func makeJittedLoop(steps: Int) -> (Parameters) -> Parameters {
        jit({ (params: Parameters) in
            forLoop(0, steps, body: { _, carry in update(carry) }, initial: params)
        }, name: "the linear-regression loop")
    }
}
