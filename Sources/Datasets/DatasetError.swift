/// An error from reading, validating or downloading dataset files.
///
/// Each description names the file or URL, states the problem and suggests the next step.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A required file exists in none of the searched places. `remedy` explains how to get it.
    case fileNotFound(path: String, remedy: String)
    /// The file exists but could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// The first bytes are not an IDX header, or, when `compressed` is true, not a gzip header.
    /// `found` contains up to the first four bytes.
    case invalidMagic(path: String, found: [UInt8], compressed: Bool)
    /// The IDX header declares an element type other than unsigned byte (type code 0x08).
    case unsupportedDataType(path: String, typeCode: UInt8)
    /// The IDX header is well formed but describes an impossible array.
    case invalidHeader(path: String, reason: String)
    /// The data ends before the size that the IDX header declares. For a gzip file both
    /// sizes count decompressed bytes.
    case truncatedData(path: String, expectedBytes: Int, foundBytes: Int)
    /// The data continues past the size that the IDX header declares.
    case trailingData(path: String, expectedBytes: Int, foundBytes: Int)
    /// zlib rejected the compressed stream.
    case invalidGzip(path: String, reason: String)
    /// The array does not have the shape that the dataset requires, such as `[N, 28, 28]`.
    case unexpectedShape(path: String, expected: String, found: [Int])
    /// The images file and the labels file of one split hold different numbers of examples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label lies outside `0..<classCount`.
    case labelOutOfRange(path: String, index: Int, value: UInt8, classCount: Int)
    /// A downloaded file has another SHA-256 digest than expected. The download was deleted
    /// before it reached `destination`.
    case checksumMismatch(url: String, expected: String, actual: String, destination: String)
    /// Every mirror failed for one file.
    case downloadFailed(fileName: String, destinationDirectory: String, attempts: [DownloadAttempt])
    /// A directory for downloads could not be created or written.
    case unwritableDirectory(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path, remedy):
            return "File not found: \(path). \(remedy)"

        case let .unreadableFile(path, reason):
            return "Cannot read \(path): \(reason). Check that the file exists and is readable."

        case let .invalidMagic(path, found, compressed):
            return Self.describeInvalidMagic(path: path, found: found, compressed: compressed)

        case let .unsupportedDataType(path, typeCode):
            let typeName = IDXDataType.name(ofCode: typeCode).map { " (\($0))" } ?? ""
            return "Unsupported IDX element type 0x\(Self.hex(typeCode))\(typeName) in \(path). "
                + "Only unsigned byte data (type code 0x08) is supported, as used by MNIST and Fashion-MNIST."

        case let .invalidHeader(path, reason):
            return "Invalid IDX header in \(path): \(reason). The file is damaged or not an IDX file."

        case let .truncatedData(path, expectedBytes, foundBytes):
            let counted = path.hasSuffix(".gz") ? " after decompression" : ""
            return "Truncated data in \(path): the IDX header declares \(expectedBytes) bytes, "
                + "but only \(foundBytes) bytes are present\(counted). "
                + "The file is incomplete: delete it and download or copy it again."

        case let .trailingData(path, expectedBytes, foundBytes):
            return "Unexpected data in \(path): the IDX header declares \(expectedBytes) bytes, "
                + "but the file contains \(foundBytes) bytes. The file is damaged or not an IDX file: "
                + "delete it and download or copy it again."

        case let .invalidGzip(path, reason):
            return "Invalid gzip data in \(path): \(reason). "
                + "The file is damaged: delete it and download or copy it again."

        case let .unexpectedShape(path, expected, found):
            return "Unexpected array shape \(found) in \(path); expected \(expected). "
                + "The file belongs to another dataset or split."

        case let .countMismatch(imagesPath, imageCount, labelsPath, labelCount):
            return "Example counts differ: \(imagesPath) contains \(imageCount) images, "
                + "but \(labelsPath) contains \(labelCount) labels. "
                + "The two files come from different datasets or splits: replace them with a matching pair."

        case let .labelOutOfRange(path, index, value, classCount):
            return "Label \(value) at index \(index) in \(path) is out of range; "
                + "labels must lie in 0...\(classCount - 1). "
                + "The file is damaged or belongs to another dataset."

        case let .checksumMismatch(url, expected, actual, destination):
            return "Checksum mismatch for \(url): expected SHA-256 \(expected), got \(actual). "
                + "The download was deleted, so nothing was stored at \(destination). "
                + "Try again later, or download the file by hand, check it, and pass its folder as the data directory."

        case let .downloadFailed(fileName, destinationDirectory, attempts):
            let tried = attempts.map { "\n  \($0.url): \($0.reason)" }.joined()
            return "Download of \(fileName) failed from every mirror:\(tried)\n"
                + "Check the network connection and retry, or place the file in \(destinationDirectory) by hand, "
                + "or pass a folder that contains it as the data directory (the --data-dir option of the mnist "
                + "example and of weft-bench)."

        case let .unwritableDirectory(path, reason):
            return "Cannot write to \(path): \(reason). "
                + "Set XDG_CACHE_HOME to a writable folder, or pass a data directory that already contains the files."
        }
    }

    private static func describeInvalidMagic(path: String, found: [UInt8], compressed: Bool) -> String {
        let foundText = found.isEmpty ? "an empty file" : found.map(hex).joined(separator: " ")
        let startsLikeGzip = found.count >= 2 && found[0] == 0x1f && found[1] == 0x8b
        let startsLikeIDX = found.count >= 3 && found[0] == 0 && found[1] == 0
            && IDXDataType.name(ofCode: found[2]) != nil

        if compressed {
            var text = "Invalid gzip header in \(path): found \(foundText), but a gzip file starts with 1F 8B."
            if startsLikeIDX {
                text += " The file looks like an uncompressed IDX file: remove the .gz suffix from its name."
            } else {
                text += " The file is damaged or not a gzip file: delete it and download or copy it again."
            }
            return text
        }

        var text = "Invalid IDX magic number in \(path): found \(foundText), "
            + "but an IDX file starts with two zero bytes, a type code and a dimension count "
            + "(00 00 08 03 for the MNIST images, 00 00 08 01 for the labels)."
        if startsLikeGzip {
            text += " The file is gzip-compressed: add .gz to its name."
        } else {
            text += " The file is damaged or not an IDX file."
        }
        return text
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
    }
}

/// One failed try to download a file from one URL.
public struct DownloadAttempt: Equatable, Sendable {
    public let url: String
    public let reason: String

    public init(url: String, reason: String) {
        self.url = url
        self.reason = reason
    }
}
