import Testing
@testable import MNISTExample

@Suite struct OptionsTests {
    @Test func valuesFollowTheirOptions() throws {
        let options = try Options.parse(["--epochs", "1", "--data-dir", "/data/mnist", "--no-jit"]).get()
        #expect(options.epochs == 1)
        #expect(options.dataDirectory == "/data/mnist")
        #expect(!options.jit)
    }

    @Test func valuesMayFollowAnEqualsSign() throws {
        let options = try Options.parse(["--epochs=2", "--data-dir=/data/a=b", "--style=setup"]).get()
        #expect(options.epochs == 2)
        #expect(options.dataDirectory == "/data/a=b")
        #expect(options.style == .setup)
    }

    @Test(arguments: [
        (["--epoch", "1"], "unknown option --epoch"),
        (["--data_dir=/data"], "unknown option --data_dir"),
        (["--no-jit=yes"], "invalid argument '--no-jit=yes': --no-jit takes no value"),
        (["--epochs="], "invalid value '' for --epochs: expected a positive integer"),
        (["--seed"], "missing value after --seed"),
    ])
    func invalidCommandLinesSayWhy(arguments: [String], message: String) {
        guard case .failure(let error) = Options.parse(arguments) else {
            Issue.record("\(arguments) parsed")
            return
        }
        #expect(error.message == message)
    }

    @Test func helpHasNoMessage() {
        guard case .failure(let error) = Options.parse(["--help"]) else {
            Issue.record("--help parsed")
            return
        }
        #expect(error.message == nil)
    }
}
