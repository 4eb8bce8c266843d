import Foundation
import Testing

import Datasets

@Suite struct IDXArrayTests {
    let images = idxBytes(shape: [2, 3, 4], payload: Array(0..<24))

    @Test func readsRawFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(images, to: "images-idx3-ubyte")

        let array = try IDXArray(contentsOfFile: path)

        #expect(array.shape == [2, 3, 4])
        #expect(array.bytes == Array(0..<24))
    }

    @Test func readsGzipFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(gzip(images), to: "images-idx3-ubyte.gz")

        let array = try IDXArray(contentsOfFile: path)

        #expect(array.shape == [2, 3, 4])
        #expect(array.bytes == Array(0..<24))
    }

    @Test func readsGzipLargerThanOneChunk() throws {
        // Several 64 KiB input chunks and 256 KiB output chunks.
        let payload = patternBytes(count: 600 * 28 * 28)
        let directory = try TemporaryDirectory()
        let path = try directory.write(gzip(idxBytes(shape: [600, 28, 28], payload: payload)), to: "big.gz")

        let array = try IDXArray(contentsOfFile: path)

        #expect(array.shape == [600, 28, 28])
        #expect(array.bytes == payload)
    }

    @Test(arguments: [1 << 20 - 16, 1 << 20, 3 << 20 + 5])
    func readsHighlyCompressedGzip(payloadCount: Int) throws {
        // The whole file fits in one input chunk while the output fills several output chunks,
        // and the first case ends exactly at a chunk boundary.
        let payload = [UInt8](repeating: 7, count: payloadCount)
        let directory = try TemporaryDirectory()
        let path = try directory.write(gzip(idxBytes(shape: [payloadCount], payload: payload)), to: "flat.gz")

        let array = try IDXArray(contentsOfFile: path)

        #expect(array.shape == [payloadCount])
        #expect(array.bytes == payload)
    }

    @Test func readsConcatenatedGzipMembers() throws {
        let directory = try TemporaryDirectory()
        let members = gzip(Array(images[0..<10])) + gzip(Array(images[10...]))
        let path = try directory.write(members, to: "images-idx3-ubyte.gz")

        let array = try IDXArray(contentsOfFile: path)

        #expect(array.shape == [2, 3, 4])
        #expect(array.bytes == Array(0..<24))
    }

    @Test func decodesBytesInMemory() throws {
        let array = try IDXArray(decoding: idxBytes(shape: [5], payload: [9, 8, 7, 6, 5]))

        #expect(array.shape == [5])
        #expect(array.bytes == [9, 8, 7, 6, 5])
    }

    @Test func decodesScalarAndEmptyArrays() throws {
        #expect(try IDXArray(decoding: idxBytes(shape: [], payload: [42])).bytes == [42])
        #expect(try IDXArray(decoding: idxBytes(shape: [0, 28, 28], payload: [])).shape == [0, 28, 28])
    }

    @Test func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/absent-idx1-ubyte.gz"

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .fileNotFound(path: path, remedy: "Check the path."))
        #expect(error?.description.contains(path) == true)
    }

    @Test func invalidMagicInRawFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("hello, world".utf8), to: "labels-idx1-ubyte")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .invalidMagic(path: path, found: [0x68, 0x65, 0x6C, 0x6C], compressed: false))
        #expect(error?.description.contains("found 68 65 6C 6C") == true)
        #expect(error?.description.contains("damaged or not an IDX file") == true)
    }

    @Test func gzipFileWithoutGzSuffix() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(gzip(images), to: "images-idx3-ubyte")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        guard case let .invalidMagic(errorPath, found, compressed) = error else {
            Issue.record("expected invalidMagic, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(Array(found.prefix(2)) == [0x1f, 0x8b])
        #expect(compressed == false)
        #expect(error?.description.contains("The file is gzip-compressed: add .gz to its name.") == true)
    }

    @Test func rawFileWithGzSuffix() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(images, to: "images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .invalidMagic(path: path, found: [0, 0, 8, 3], compressed: true))
        #expect(error?.description.contains("remove the .gz suffix") == true)
    }

    @Test func emptyFile() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([], to: "empty-idx1-ubyte")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .invalidMagic(path: path, found: [], compressed: false))
        #expect(error?.description.contains("found an empty file") == true)
    }

    @Test func unsupportedDataType() throws {
        let directory = try TemporaryDirectory()
        let floats = idxBytes(typeCode: 0x0D, shape: [2], payload: [UInt8](repeating: 0, count: 8))
        let path = try directory.write(floats, to: "floats-idx1")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .unsupportedDataType(path: path, typeCode: 0x0D))
        #expect(error?.description.contains("0x0D (32-bit float)") == true)
    }

    @Test func unknownTypeCodeIsInvalidMagic() {
        let bytes = idxBytes(typeCode: 0x07, shape: [1], payload: [0])

        let error = #expect(throws: DatasetError.self) { try IDXArray(decoding: bytes, path: "x") }

        #expect(error == .invalidMagic(path: "x", found: [0, 0, 7, 1], compressed: false))
    }

    @Test func truncatedRawPayload() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array(images.dropLast(5)), to: "images-idx3-ubyte")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        // 16 header bytes and 24 elements were declared.
        #expect(error == .truncatedData(path: path, expectedBytes: 40, foundBytes: 35))
        #expect(error?.description.contains("declares 40 bytes, but only 35 bytes are present") == true)
    }

    @Test func truncatedHeader() {
        let error = #expect(throws: DatasetError.self) {
            try IDXArray(decoding: Array(images.prefix(9)), path: "images")
        }

        #expect(error == .truncatedData(path: "images", expectedBytes: 16, foundBytes: 9))
    }

    @Test func truncatedGzipReportsDecompressedSizes() throws {
        let payload = patternBytes(count: 100 * 28 * 28)
        let compressed = gzip(idxBytes(shape: [100, 28, 28], payload: payload))
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array(compressed.prefix(compressed.count / 2)), to: "images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        guard case let .truncatedData(errorPath, expectedBytes, foundBytes) = error else {
            Issue.record("expected truncatedData, got \(String(describing: error))")
            return
        }
        #expect(errorPath == path)
        #expect(expectedBytes == 16 + 100 * 28 * 28)
        #expect(foundBytes > 16)
        #expect(foundBytes < expectedBytes)
        #expect(error?.description.contains("after decompression") == true)
    }

    @Test func gzipCutInsideHeader() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array(gzip(images).prefix(6)), to: "images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        guard case .invalidGzip(path, _) = error else {
            Issue.record("expected invalidGzip, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("ends early") == true)
    }

    @Test func corruptGzipData() throws {
        var compressed = gzip(idxBytes(shape: [50, 28, 28], payload: patternBytes(count: 50 * 784)))
        for index in stride(from: 20, to: compressed.count - 8, by: 97) {
            compressed[index] ^= 0x5A
        }
        let directory = try TemporaryDirectory()
        let path = try directory.write(compressed, to: "images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        guard case .invalidGzip(path, _) = error else {
            Issue.record("expected invalidGzip, got \(String(describing: error))")
            return
        }
    }

    @Test func garbageAfterGzipStream() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(gzip(images) + [0x00, 0x01, 0x02], to: "images-idx3-ubyte.gz")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .invalidGzip(path: path, reason: "unexpected data after the end of the gzip stream"))
    }

    @Test func trailingData() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(images + [1, 2, 3], to: "images-idx3-ubyte")

        let error = #expect(throws: DatasetError.self) { try IDXArray(contentsOfFile: path) }

        #expect(error == .trailingData(path: path, expectedBytes: 40, foundBytes: 43))
    }

    @Test func overflowingDimensions() {
        let bytes = idxBytes(shape: [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], payload: [])

        let error = #expect(throws: DatasetError.self) { try IDXArray(decoding: bytes, path: "huge") }

        guard case .invalidHeader("huge", _) = error else {
            Issue.record("expected invalidHeader, got \(String(describing: error))")
            return
        }
    }
}
