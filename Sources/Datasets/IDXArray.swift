import Foundation

/// An n-dimensional array of unsigned bytes read from an IDX file, in row-major order.
///
/// The IDX format, used by MNIST, starts with two zero bytes, a type code, the number of
/// dimensions, and each dimension as a big-endian 32-bit integer. The elements follow.
public struct IDXArray: Equatable, Sendable {
    public let shape: [Int]
    public let bytes: [UInt8]

    /// Creates an array from `bytes` in row-major order. The product of `shape` must equal
    /// `bytes.count`.
    public init(shape: [Int], bytes: [UInt8]) {
        // `fatalError` keeps its message in optimized builds, where `precondition` drops it.
        if !shape.allSatisfy({ $0 >= 0 }) {
            fatalError("IDXArray shape \(shape) has a negative dimension")
        }
        if shape.reduce(1, *) != bytes.count {
            fatalError("IDXArray shape \(shape) needs \(shape.reduce(1, *)) bytes, got \(bytes.count)")
        }
        self.shape = shape
        self.bytes = bytes
    }

    /// Reads an IDX file, decompressing it with zlib when the name ends in `.gz`.
    ///
    /// The name decides the format, so a gzip file without `.gz`, or a raw file with it,
    /// throws `DatasetError.invalidMagic` with a hint to rename it.
    public init(contentsOfFile path: String) throws(DatasetError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.fileNotFound(path: path, remedy: "Check the path.")
        }

        if path.hasSuffix(".gz") {
            let decompressed: [UInt8]
            do {
                decompressed = try Gzip.decompressFile(atPath: path)
            } catch {
                switch error {
                case let .failed(underlying):
                    throw underlying
                case let .truncatedStream(partial):
                    // A cut-off download usually ends inside the IDX payload. Report the sizes
                    // that the header declares when enough of it was decompressed to read them.
                    if let headerError = Self.headerError(in: partial, path: path),
                        case .truncatedData = headerError
                    {
                        throw headerError
                    }
                    throw DatasetError.invalidGzip(
                        path: path,
                        reason: "the compressed stream ends early, after \(partial.count) decompressed bytes")
                }
            }
            try self.init(decoding: decompressed, path: path)
        } else {
            let contents: Data
            do {
                contents = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw DatasetError.unreadableFile(path: path, reason: "\(error.localizedDescription)")
            }
            try self.init(decoding: [UInt8](contents), path: path)
        }
    }

    /// Parses the bytes of an uncompressed IDX file. `path` only names the source in errors.
    public init(decoding data: [UInt8], path: String = "<memory>") throws(DatasetError) {
        let header = try Self.checkHeaderAndSize(data, path: path)
        self.init(shape: header.shape, bytes: Array(data[header.byteCount...]))
    }

    struct Header {
        let shape: [Int]
        /// Bytes before the first element: the magic number and the dimensions.
        let byteCount: Int
    }

    private static func headerError(in data: [UInt8], path: String) -> DatasetError? {
        do {
            try checkHeaderAndSize(data, path: path)
            return nil
        } catch {
            return error
        }
    }

    @discardableResult
    private static func checkHeaderAndSize(_ data: [UInt8], path: String) throws(DatasetError) -> Header {
        guard data.count >= 4, data[0] == 0, data[1] == 0, IDXDataType.name(ofCode: data[2]) != nil else {
            throw DatasetError.invalidMagic(path: path, found: Array(data.prefix(4)), compressed: false)
        }
        guard data[2] == IDXDataType.unsignedByte else {
            throw DatasetError.unsupportedDataType(path: path, typeCode: data[2])
        }

        let dimensionCount = Int(data[3])
        let headerByteCount = 4 + 4 * dimensionCount
        guard data.count >= headerByteCount else {
            throw DatasetError.truncatedData(path: path, expectedBytes: headerByteCount, foundBytes: data.count)
        }

        var shape: [Int] = []
        var elementCount = 1
        for dimension in 0..<dimensionCount {
            let offset = 4 + 4 * dimension
            let size = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16
                | Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else {
                throw DatasetError.invalidHeader(
                    path: path, reason: "the dimensions \(shape + [size]) overflow the element count")
            }
            shape.append(size)
            elementCount = product
        }

        let (expectedByteCount, overflow) = headerByteCount.addingReportingOverflow(elementCount)
        guard !overflow else {
            throw DatasetError.invalidHeader(path: path, reason: "the dimensions \(shape) overflow the file size")
        }
        if data.count < expectedByteCount {
            throw DatasetError.truncatedData(path: path, expectedBytes: expectedByteCount, foundBytes: data.count)
        }
        if data.count > expectedByteCount {
            throw DatasetError.trailingData(path: path, expectedBytes: expectedByteCount, foundBytes: data.count)
        }
        return Header(shape: shape, byteCount: headerByteCount)
    }
}

/// The element type codes of the IDX format.
enum IDXDataType {
    static let unsignedByte: UInt8 = 0x08

    static func name(ofCode code: UInt8) -> String? {
        switch code {
        case 0x08: return "unsigned byte"
        case 0x09: return "signed byte"
        case 0x0B: return "16-bit integer"
        case 0x0C: return "32-bit integer"
        case 0x0D: return "32-bit float"
        case 0x0E: return "64-bit float"
        default: return nil
        }
    }
}
