import Foundation
import Testing

import Datasets

let mnistPath = sharedDatasetsPath("mnist")
let hasMNIST = FileManager.default.fileExists(atPath: mnistPath + "/train-images-idx3-ubyte.gz")
let fashionMNISTPath = "/usr/share/datasets/fashion-mnist"
let hasFashionMNIST = FileManager.default.fileExists(atPath: fashionMNISTPath + "/train-images-idx3-ubyte.gz")

@Suite(.serialized) struct RealDataTests {
    @Test(.enabled(if: hasMNIST, "MNIST files not found at ../shared/datasets/mnist beside the repository"))
    func mnistCountsAndFirstLabels() throws {
        let scratch = try TemporaryDirectory()

        let dataset = try offlineLoader(.mnist, dataDirectory: mnistPath, cache: scratch.path).load()

        #expect(dataset.train.images.shape == [60000, 28, 28])
        #expect(dataset.train.labels.shape == [60000])
        #expect(dataset.test.images.shape == [10000, 28, 28])
        #expect(dataset.test.labels.shape == [10000])
        #expect(Array(dataset.train.labels.bytes.prefix(5)) == [5, 0, 4, 1, 9])
        #expect(Array(dataset.test.labels.bytes.prefix(5)) == [7, 2, 1, 0, 4])
    }

    @Test(.enabled(if: hasMNIST, "MNIST files not found at ../shared/datasets/mnist beside the repository"))
    func mnistFileDigests() throws {
        // Digests of the copies in shared/datasets, which were re-compressed, so they differ
        // from the digests of the mirrors' files in DatasetName.files.
        let expected = [
            "t10k-images-idx3-ubyte.gz": "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be",
            "t10k-labels-idx1-ubyte.gz": "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b",
            "train-images-idx3-ubyte.gz": "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971",
            "train-labels-idx1-ubyte.gz": "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203",
        ]

        for (name, digest) in expected {
            #expect(try SHA256.hexDigest(ofFileAtPath: mnistPath + "/" + name) == digest, "\(name)")
        }
    }

    @Test(.enabled(if: hasFashionMNIST, "Fashion-MNIST not installed (Debian package dataset-fashion-mnist)"))
    func fashionMNISTFromDebianFolder() throws {
        let scratch = try TemporaryDirectory()
        var loader = offlineLoader(.fashionMNIST, cache: scratch.path)
        loader.searchDirectories = DatasetName.fashionMNIST.systemDirectories

        let dataset = try loader.load()

        #expect(dataset.train.images.shape == [60000, 28, 28])
        #expect(dataset.test.images.shape == [10000, 28, 28])
        #expect(Array(dataset.train.labels.bytes.prefix(5)) == [9, 0, 0, 3, 0])
        #expect(Array(dataset.test.labels.bytes.prefix(5)) == [9, 2, 1, 1, 6])
        #expect(dataset.paths.allSatisfy { $0.hasPrefix(fashionMNISTPath + "/") })
    }
}
