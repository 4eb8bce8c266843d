import Foundation
import Testing

import Datasets

/// Collects log lines from the loader, which may call it from any thread.
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storedLines: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storedLines
    }

    func record(_ line: String) {
        lock.lock()
        storedLines.append(line)
        lock.unlock()
    }
}

/// The tiny dataset's files with their real digests, served under `/mirror/`.
struct ServedDataset {
    let tiny = TinyDataset(trainCount: 3, testCount: 2)
    let compressed: [String: [UInt8]]
    let files: DatasetFiles

    init() {
        let compressed = tiny.compressedFiles
        func file(_ name: String) -> DatasetFile {
            DatasetFile(fileName: name, sha256: SHA256.hexDigest(compressed[name]!))
        }
        self.compressed = compressed
        files = DatasetFiles(
            trainImages: file("train-images-idx3-ubyte.gz"), trainLabels: file("train-labels-idx1-ubyte.gz"),
            testImages: file("t10k-images-idx3-ubyte.gz"), testLabels: file("t10k-labels-idx1-ubyte.gz"))
    }

    var routes: [String: [UInt8]] {
        Dictionary(uniqueKeysWithValues: compressed.map { ("/mirror/" + $0.key, $0.value) })
    }
}

func downloadingLoader(
    cache: String, mirrors: [URL], files: DatasetFiles, method: DownloadMethod, log: LogRecorder
) -> DatasetLoader {
    var loader = DatasetLoader(.mnist)
    loader.searchDirectories = []
    loader.cacheDirectory = cache
    loader.mirrors = mirrors
    loader.files = files
    loader.downloadMethod = method
    loader.log = { log.record($0) }
    return loader
}

@Suite struct DownloadTests {
    @Test(arguments: [DownloadMethod.urlSession, .curl])
    func downloadsIntoCacheThenReusesIt(method: DownloadMethod) throws {
        let served = ServedDataset()
        let server = try LocalHTTPServer(routes: served.routes)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cachePath = directory.path + "/cache/mnist"
        let log = LogRecorder()
        let loader = downloadingLoader(
            cache: cachePath, mirrors: [server.baseURL.appendingPathComponent("mirror/")],
            files: served.files, method: method, log: log)

        let dataset = try loader.load()

        #expect(dataset.train.labels.bytes == [0, 1, 2])
        #expect(dataset.test.images.shape == [2, 28, 28])
        #expect(try directory.entries(in: "cache/mnist") == served.compressed.keys.sorted())
        #expect(server.requests.count == 4)
        #expect(log.lines.contains { $0.hasPrefix("Saved \(cachePath)/train-images-idx3-ubyte.gz") })

        let reloaded = try loader.load()

        #expect(reloaded == dataset)
        #expect(server.requests.count == 4)
    }

    @Test(arguments: [DownloadMethod.urlSession, .curl])
    func checksumMismatchKeepsNothing(method: DownloadMethod) throws {
        let served = ServedDataset()
        let server = try LocalHTTPServer(routes: served.routes)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cachePath = directory.path + "/cache/mnist"
        var files = served.files
        let wrongDigest = String(repeating: "0", count: 64)
        files.trainImages.sha256 = wrongDigest
        let mirror = server.baseURL.appendingPathComponent("mirror/")
        let loader = downloadingLoader(
            cache: cachePath, mirrors: [mirror], files: files, method: method, log: LogRecorder())

        let error = #expect(throws: DatasetError.self) { try loader.load() }

        let url = mirror.appendingPathComponent("train-images-idx3-ubyte.gz").absoluteString
        let actual = SHA256.hexDigest(served.compressed["train-images-idx3-ubyte.gz"]!)
        #expect(
            error
                == .checksumMismatch(
                    url: url, expected: wrongDigest, actual: actual,
                    destination: cachePath + "/train-images-idx3-ubyte.gz"))
        #expect(error?.description.contains("nothing was stored") == true)
        #expect(try directory.entries(in: "cache/mnist").isEmpty)
    }

    @Test func fallsBackToNextMirror() throws {
        let served = ServedDataset()
        let server = try LocalHTTPServer(routes: served.routes)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let log = LogRecorder()
        let missingMirror = server.baseURL.appendingPathComponent("gone/")
        let loader = downloadingLoader(
            cache: directory.path + "/cache",
            mirrors: [missingMirror, server.baseURL.appendingPathComponent("mirror/")],
            files: served.files, method: .urlSession, log: log)

        let dataset = try loader.load()

        #expect(dataset.train.count == 3)
        #expect(server.requests.filter { $0.hasPrefix("/gone/") }.count == 4)
        #expect(log.lines.contains { $0.contains("/gone/train-images-idx3-ubyte.gz failed: HTTP status 404") })
    }

    @Test(arguments: [DownloadMethod.urlSession, .curl])
    func everyMirrorFails(method: DownloadMethod) throws {
        let server = try LocalHTTPServer(routes: [:])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let cachePath = directory.path + "/cache"
        let mirrors = [server.baseURL.appendingPathComponent("a/"), server.baseURL.appendingPathComponent("b/")]
        let loader = downloadingLoader(
            cache: cachePath, mirrors: mirrors, files: ServedDataset().files, method: method, log: LogRecorder())

        let error = #expect(throws: DatasetError.self) { try loader.load() }

        guard case let .downloadFailed(fileName, destinationDirectory, attempts) = error else {
            Issue.record("expected downloadFailed, got \(String(describing: error))")
            return
        }
        #expect(fileName == "train-images-idx3-ubyte.gz")
        #expect(destinationDirectory == cachePath)
        #expect(attempts.map(\.url) == mirrors.map { $0.appendingPathComponent(fileName).absoluteString })
        #expect(attempts.allSatisfy { $0.reason.contains("404") })
        #expect(error?.description.contains(mirrors[1].appendingPathComponent(fileName).absoluteString) == true)
        #expect(error?.description.contains("--data-dir") == true, "the message names the option to use instead")
        #expect(try directory.entries(in: "cache").isEmpty)
    }

    @Test(arguments: [DownloadMethod.urlSession, .curl])
    func downloadsFromFileURL(method: DownloadMethod) throws {
        let served = ServedDataset()
        let directory = try TemporaryDirectory()
        for (name, bytes) in served.compressed {
            _ = try directory.write(bytes, to: "mirror/" + name)
        }
        let loader = downloadingLoader(
            cache: directory.path + "/cache", mirrors: [URL(fileURLWithPath: directory.path + "/mirror/")],
            files: served.files, method: method, log: LogRecorder())

        let dataset = try loader.load()

        #expect(dataset.test.labels.bytes == [9, 8])
        #expect(try directory.entries(in: "cache") == served.compressed.keys.sorted())
    }

    @Test func unwritableCacheDirectory() throws {
        let directory = try TemporaryDirectory()
        let blocker = try directory.write([1], to: "not-a-folder")
        let loader = downloadingLoader(
            cache: blocker + "/mnist", mirrors: [URL(string: "http://127.0.0.1:9/")!],
            files: ServedDataset().files, method: .urlSession, log: LogRecorder())

        let error = #expect(throws: DatasetError.self) { try loader.load() }

        guard case .unwritableDirectory(blocker + "/mnist", _) = error else {
            Issue.record("expected unwritableDirectory, got \(String(describing: error))")
            return
        }
    }
}
