import Foundation
import Testing

import Datasets

/// Returns a loader that searches no system folders, downloads nothing and logs nowhere.
func offlineLoader(_ name: DatasetName = .mnist, dataDirectory: String? = nil, cache: String) -> DatasetLoader {
    var loader = DatasetLoader(name, dataDirectory: dataDirectory)
    loader.searchDirectories = []
    loader.cacheDirectory = cache
    loader.allowsDownload = false
    loader.log = { _ in }
    return loader
}

@Suite struct DatasetLoaderTests {
    @Test func loadsFromDataDirectory() throws {
        let directory = try TemporaryDirectory()
        let tiny = TinyDataset(trainCount: 3, testCount: 2)
        let dataPath = try tiny.writeCompressed(into: directory, folder: "data")

        let dataset = try offlineLoader(dataDirectory: dataPath, cache: directory.path + "/cache").load()

        #expect(dataset.name == .mnist)
        #expect(dataset.train.images.shape == [3, 28, 28])
        #expect(dataset.train.labels.bytes == [0, 1, 2])
        #expect(dataset.test.images.shape == [2, 28, 28])
        #expect(dataset.test.labels.bytes == [9, 8])
        #expect(dataset.train.count == 3)
        #expect(dataset.test.count == 2)
        #expect(dataset.paths.first == dataPath + "/train-images-idx3-ubyte.gz")
    }

    @Test func acceptsUncompressedFiles() throws {
        let directory = try TemporaryDirectory()
        let tiny = TinyDataset()
        let dataPath = try tiny.writeCompressed(into: directory, folder: "data")
        try FileManager.default.removeItem(atPath: dataPath + "/t10k-labels-idx1-ubyte.gz")
        _ = try directory.write(tiny.testLabels, to: "data/t10k-labels-idx1-ubyte")

        let dataset = try offlineLoader(dataDirectory: dataPath, cache: directory.path + "/cache").load()

        #expect(dataset.test.labels.bytes == [9, 8])
        #expect(dataset.paths.last == dataPath + "/t10k-labels-idx1-ubyte")
    }

    @Test func missingFileInDataDirectory() throws {
        let directory = try TemporaryDirectory()
        let dataPath = try TinyDataset().writeCompressed(into: directory, folder: "data")
        try FileManager.default.removeItem(atPath: dataPath + "/train-labels-idx1-ubyte.gz")
        let cachePath = directory.path + "/cache/mnist"

        let error = #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: dataPath, cache: cachePath).load()
        }

        guard case let .fileNotFound(path, remedy) = error else {
            Issue.record("expected fileNotFound, got \(String(describing: error))")
            return
        }
        #expect(path == dataPath + "/train-labels-idx1-ubyte.gz")
        #expect(remedy.contains("--data-dir"))
        #expect(remedy.contains(cachePath))
        #expect(remedy.contains("downloaded"))
    }

    @Test func missingDataDirectorySaysSo() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/no-such-folder"
        let file = directory.path + "/a-file"
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: file))

        for (dataPath, problem) in [(missing, "The folder \(missing) does not exist."), (file, "\(file) is a file, not a folder.")] {
            let error = #expect(throws: DatasetError.self) {
                try offlineLoader(dataDirectory: dataPath, cache: directory.path + "/cache").load()
            }
            guard case let .fileNotFound(_, remedy) = error else {
                Issue.record("expected fileNotFound, got \(String(describing: error))")
                continue
            }
            #expect(remedy.hasPrefix(problem), "\(remedy)")
            #expect(remedy.contains("--data-dir"))
        }
    }

    @Test func dataDirectoryIsNotMixedWithCache() throws {
        let directory = try TemporaryDirectory()
        let cachePath = try TinyDataset().writeCompressed(into: directory, folder: "cache")
        let emptyData = directory.path + "/empty"
        try FileManager.default.createDirectory(atPath: emptyData, withIntermediateDirectories: true)

        #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: emptyData, cache: cachePath).load()
        }
    }

    @Test func missingFileWithDownloadsTurnedOff() throws {
        let directory = try TemporaryDirectory()
        let cachePath = directory.path + "/cache/mnist"

        let error = #expect(throws: DatasetError.self) { try offlineLoader(cache: cachePath).load() }

        guard case let .fileNotFound(path, remedy) = error else {
            Issue.record("expected fileNotFound, got \(String(describing: error))")
            return
        }
        #expect(path == cachePath + "/train-images-idx3-ubyte.gz")
        #expect(remedy.contains("Downloading is turned off"))
        #expect(remedy.contains("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"))
        #expect(remedy.contains("--data-dir"))
    }

    @Test func searchDirectoryComesBeforeCache() throws {
        let directory = try TemporaryDirectory()
        let systemPath = try TinyDataset(trainCount: 4).writeCompressed(into: directory, folder: "system")
        let cachePath = try TinyDataset(trainCount: 5).writeCompressed(into: directory, folder: "cache")
        var loader = offlineLoader(cache: cachePath)
        loader.searchDirectories = [systemPath]

        let dataset = try loader.load()

        #expect(dataset.train.count == 4)
        #expect(dataset.paths.allSatisfy { $0.hasPrefix(systemPath + "/") })
    }

    @Test func cacheUsedWhenSearchDirectoryLacksFiles() throws {
        let directory = try TemporaryDirectory()
        let cachePath = try TinyDataset(trainCount: 5).writeCompressed(into: directory, folder: "cache")
        var loader = offlineLoader(cache: cachePath)
        loader.searchDirectories = [directory.path + "/no-such-folder"]

        let dataset = try loader.load()

        #expect(dataset.train.count == 5)
    }

    @Test func imagesAndLabelsCountMismatch() throws {
        let directory = try TemporaryDirectory()
        let dataPath = try TinyDataset(trainCount: 3).writeCompressed(into: directory, folder: "data")
        _ = try directory.write(gzip(idxBytes(shape: [2], payload: [1, 2])), to: "data/train-labels-idx1-ubyte.gz")

        let error = #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: dataPath, cache: directory.path).load()
        }

        #expect(
            error
                == .countMismatch(
                    imagesPath: dataPath + "/train-images-idx3-ubyte.gz", imageCount: 3,
                    labelsPath: dataPath + "/train-labels-idx1-ubyte.gz", labelCount: 2))
        #expect(error?.description.contains("3 images") == true)
        #expect(error?.description.contains("2 labels") == true)
    }

    @Test func labelOutOfRange() throws {
        let directory = try TemporaryDirectory()
        let dataPath = try TinyDataset(trainCount: 3).writeCompressed(into: directory, folder: "data")
        _ = try directory.write(
            gzip(idxBytes(shape: [3], payload: [4, 9, 10])), to: "data/train-labels-idx1-ubyte.gz")

        let error = #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: dataPath, cache: directory.path).load()
        }

        let labelsPath = dataPath + "/train-labels-idx1-ubyte.gz"
        #expect(error == .labelOutOfRange(path: labelsPath, index: 2, value: 10, classCount: 10))
        #expect(error?.description.contains("Label 10 at index 2") == true)
        #expect(error?.description.contains("0...9") == true)
    }

    @Test func imagesWithWrongShape() throws {
        let directory = try TemporaryDirectory()
        let dataPath = try TinyDataset().writeCompressed(into: directory, folder: "data")
        _ = try directory.write(
            gzip(idxBytes(shape: [2, 28, 27], payload: patternBytes(count: 2 * 28 * 27))),
            to: "data/t10k-images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: dataPath, cache: directory.path).load()
        }

        #expect(
            error
                == .unexpectedShape(
                    path: dataPath + "/t10k-images-idx3-ubyte.gz", expected: "[N, 28, 28]", found: [2, 28, 27]))
    }

    @Test func labelsWithWrongShape() throws {
        let directory = try TemporaryDirectory()
        let dataPath = try TinyDataset(testCount: 2).writeCompressed(into: directory, folder: "data")
        _ = try directory.write(
            gzip(idxBytes(shape: [2, 1], payload: [1, 2])), to: "data/t10k-labels-idx1-ubyte.gz")

        let error = #expect(throws: DatasetError.self) {
            try offlineLoader(dataDirectory: dataPath, cache: directory.path).load()
        }

        #expect(
            error == .unexpectedShape(path: dataPath + "/t10k-labels-idx1-ubyte.gz", expected: "[N]", found: [2, 1]))
    }

    @Test func cacheRootFromXDGCacheHome() {
        let root = DatasetLoader.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "/srv/cache", "HOME": "/home/u"])

        #expect(root == "/srv/cache/weft")
    }

    @Test func cacheRootIgnoresRelativeXDGCacheHome() {
        let root = DatasetLoader.defaultCacheRoot(environment: ["XDG_CACHE_HOME": "cache", "HOME": "/home/u"])

        #expect(root == "/home/u/.cache/weft")
    }

    @Test func cacheRootFromHome() {
        #expect(DatasetLoader.defaultCacheRoot(environment: ["HOME": "/home/u"]) == "/home/u/.cache/weft")
    }

    @Test func cacheDirectoryPerDataset() {
        let environment = ["HOME": "/home/u"]

        #expect(DatasetLoader(.mnist, environment: environment).cacheDirectory == "/home/u/.cache/weft/mnist")
        #expect(
            DatasetLoader(.fashionMNIST, environment: environment).cacheDirectory
                == "/home/u/.cache/weft/fashion-mnist")
    }

    @Test func fashionMNISTSearchesDebianFolder() {
        #expect(DatasetLoader(.fashionMNIST).searchDirectories == ["/usr/share/datasets/fashion-mnist"])
        #expect(DatasetLoader(.mnist).searchDirectories.isEmpty)
    }
}
