import Foundation
import LinearRegressionWorkload
import Tensor

/// Benchmarks of the linreg example: 1000 gradient-descent steps on 1e6 points, run
/// eagerly, as a jitted step called from Swift, and as one jitted `forLoop`.
enum LinearRegressionCases {
    static let steps = 1000

    /// Measures `linreg-jit-1000`: 1000 calls of the jitted update, after a warm-up call that
    /// traces and plans it (median of 3 repeats, each from the initial parameters).
    static func jitted(_ problem: LinearRegression) {
        let update = problem.makeJittedUpdate()
        _ = update(LinearRegression.initialParameters)

        var params = LinearRegression.initialParameters
        var durations = [Double]()
        for _ in 0..<3 {
            durations.append(Timing.seconds {
                params = LinearRegression.initialParameters
                for _ in 0..<steps { params = update(params) }
            })
        }
        noteResult("linreg-jit-1000", problem, params)
        Report.caseLine("linreg-jit-1000", ["seconds": Timing.median(durations.sorted())])
    }

    /// Measures `linreg-eager-1000`: 1000 eager updates, timed once after one untimed update.
    static func eager(_ problem: LinearRegression) {
        _ = problem.update(LinearRegression.initialParameters)

        var params = LinearRegression.initialParameters
        let seconds = Timing.seconds {
            for _ in 0..<steps { params = problem.update(params) }
        }
        noteResult("linreg-eager-1000", problem, params)
        Report.caseLine("linreg-eager-1000", ["seconds": seconds])
    }

    /// Measures `linreg-fori-1000`: all 1000 updates in one jitted `forLoop` (median of 3 calls
    /// after a warm-up call).
    static func forLoopInJit(_ problem: LinearRegression) {
        let fit = problem.makeJittedLoop(steps: steps)
        var params = LinearRegression.initialParameters
        let times = Timing.measure(repetitions: 3, warmup: 1) {
            params = fit(LinearRegression.initialParameters)
        }
        noteResult("linreg-fori-1000", problem, params)
        Report.caseLine("linreg-fori-1000", ["seconds": Timing.median(times)])
    }

    /// Prints the fitted parameters and their loss on a `#` line.
    private static func noteResult(_ name: String, _ problem: LinearRegression, _ params: LinearRegression.Parameters) {
        Report.note(String(
            format: "%@: after %d steps w=%.4f b=%.4f loss=%.4f",
            name, steps, params["w"]!.floatValue, params["b"]!.floatValue, problem.loss(params).floatValue))
    }
}
