import Foundation
import MNISTWorkload
import Weft

/// `peak-rss-mnist-1-epoch`: the peak resident set size of a whole program that does what
/// the MNIST example does for one epoch, measured in a child process.
enum MemoryCase {
    /// The hidden option that makes weft-bench run the child's work instead of cases.
    static let childFlag = "--child-mnist-1-epoch"

    /// Starts this program again with `childFlag`, forwards the child's output as `#`
    /// lines, and reports the child's maximum resident set size in megabytes.
    ///
    /// Run it before the other cases. Linux carries a process's peak RSS across `exec`,
    /// and glibc's `posix_spawn` starts the child in this process's memory (a vfork-style
    /// clone), so the child's `ru_maxrss` is at least this process's peak so far. A test
    /// with glibc 2.36 on Linux 6.18 showed a 300 MB parent peak in the child of `/bin/true`.
    static func run(dataDirectory: String?) {
        let parentKilobytes = maximumResidentKilobytes(RUSAGE_SELF)
        var arguments = [CommandLine.arguments[0], childFlag]
        if let dataDirectory {
            arguments += ["--data-dir", dataDirectory]
        }
        let (status, output) = runChild(executable: "/proc/self/exe", arguments: arguments)
        for line in output.split(separator: "\n") {
            print(line.hasPrefix("#") ? String(line) : "# " + line)
        }
        guard status == 0 else {
            let command = arguments.joined(separator: " ")
            exitWithError("the child process of peak-rss-mnist-1-epoch (\(command)) failed with \(describeWaitStatus(status))", status: 1)
        }

        // RUSAGE_CHILDREN gives the maximum over all waited-for children, and this is the
        // only child that weft-bench starts. Linux reports ru_maxrss in kilobytes.
        let kilobytes = maximumResidentKilobytes(RUSAGE_CHILDREN)
        if kilobytes <= parentKilobytes {
            Report.note(
                "WARNING: the child's peak RSS (\(kilobytes) kB) does not exceed this process's peak before "
                    + "the child started (\(parentKilobytes) kB), so it may be this process's figure; "
                    + "compare the child's VmHWM above")
        }
        Report.caseLine("peak-rss-mnist-1-epoch", ["megabytes": Double(kilobytes) * 1024 / 1e6])
    }

    /// Does the child's work: loads MNIST, initializes the example's model, trains one
    /// epoch at batch size 32 with the jitted step, and prints the train and test accuracy
    /// on a `#` line.
    static func runChildWork(dataDirectory: String?) {
        let start = Timing.now()
        let data = MNISTData.load(dataDirectory: dataDirectory)
        var (key, state) = MNISTCases.initialSetup(data)
        let step = makeTrainStep(data.train, oneHotLabels: data.oneHotTrain, compiled: true)
        let meanLoss = trainEpoch(state: &state, key: &key, exampleCount: data.train.count, batchSize: 32, step: step)
        let trainAccuracy = accuracy(state, data.train)
        let testAccuracy = accuracy(state, data.test)
        let peak = Timing.peakResidentKilobytes().map { "\($0) kB" } ?? "unknown"
        Report.note(String(
            format: "peak-rss-mnist-1-epoch child: 1 epoch at batch 32, mean training loss %.4f, "
                + "accuracy train/test %.4f/%.4f, %.2f s including loading and compilation, VmHWM %@",
            meanLoss, trainAccuracy, testAccuracy, Timing.now() - start, peak))
    }

    private static func maximumResidentKilobytes(_ processes: __rusage_who) -> Int {
        var usage = rusage()
        getrusage(processes.rawValue, &usage)
        return usage.ru_maxrss
    }

    /// Runs `executable` with `arguments` (the first is the program name), waits for it,
    /// and returns its wait status and everything it wrote to standard output. Standard
    /// error stays this process's.
    private static func runChild(executable: String, arguments: [String]) -> (status: Int32, output: String) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            exitWithError("cannot create a pipe for the child process: \(String(cString: strerror(errno)))", status: 1)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        fflush(nil)
        var pid = pid_t()
        let spawnError = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(pipeEnds[1])
        guard spawnError == 0 else {
            close(pipeEnds[0])
            exitWithError("cannot start \(executable): \(String(cString: strerror(spawnError)))", status: 1)
        }

        let output = FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// Describes a `waitpid` status, such as "exit status 1" or "signal 9".
    private static func describeWaitStatus(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit status \((status >> 8) & 0xff)" : "signal \(signal)"
    }
}
