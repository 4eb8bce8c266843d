import CZlib
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A folder under the system temporary directory, deleted when the object is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "weft-datasets-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let filePath = path + "/" + name
        let folder = (filePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: filePath))
        return filePath
    }

    /// Names of all entries in `folder` (relative to this directory), hidden ones included.
    func entries(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path + "/" + folder).sorted()
    }
}

/// Encodes an IDX file: two zero bytes, the type code, the dimension count, big-endian
/// dimensions, then `payload`.
func idxBytes(typeCode: UInt8 = 0x08, shape: [Int], payload: [UInt8]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, typeCode, UInt8(shape.count)]
    for dimension in shape {
        let size = UInt32(dimension)
        bytes += [UInt8(size >> 24), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff), UInt8(size & 0xff)]
    }
    return bytes + payload
}

/// Compresses `bytes` into one gzip member with zlib's deflate.
func gzip(_ bytes: [UInt8]) -> [UInt8] {
    var stream = z_stream()
    // 16 + 15 window bits selects the gzip wrapper.
    let status = deflateInit2_(
        &stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY,
        zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2 failed with \(status)")
    defer { deflateEnd(&stream) }

    var input = bytes
    let capacity = Int(deflateBound(&stream, UInt(bytes.count)))
    var output = [UInt8](repeating: 0, count: capacity)
    let producedCount = input.withUnsafeMutableBufferPointer { inputBuffer in
        output.withUnsafeMutableBufferPointer { outputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            stream.next_out = outputBuffer.baseAddress
            stream.avail_out = UInt32(outputBuffer.count)
            let result = deflate(&stream, Z_FINISH)
            precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
            return outputBuffer.count - Int(stream.avail_out)
        }
    }
    return Array(output[0..<producedCount])
}

/// Deterministic pseudo-random bytes, so compressed test files are not trivially small.
func patternBytes(count: Int, seed: UInt32 = 1) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(state >> 24)
    }
}

/// The four files of a tiny MNIST-shaped dataset: `trainCount` and `testCount` images of
/// 28x28 bytes with labels `index % 10`.
struct TinyDataset {
    let trainImages: [UInt8]
    let trainLabels: [UInt8]
    let testImages: [UInt8]
    let testLabels: [UInt8]

    init(trainCount: Int = 3, testCount: Int = 2, seed: UInt32 = 1) {
        trainImages = idxBytes(
            shape: [trainCount, 28, 28], payload: patternBytes(count: trainCount * 784, seed: seed))
        trainLabels = idxBytes(shape: [trainCount], payload: (0..<trainCount).map { UInt8($0 % 10) })
        testImages = idxBytes(
            shape: [testCount, 28, 28], payload: patternBytes(count: testCount * 784, seed: seed + 1))
        testLabels = idxBytes(shape: [testCount], payload: (0..<testCount).map { UInt8(9 - $0 % 10) })
    }

    /// Gzip-compressed file contents keyed by the standard MNIST file names.
    var compressedFiles: [String: [UInt8]] {
        [
            "train-images-idx3-ubyte.gz": gzip(trainImages),
            "train-labels-idx1-ubyte.gz": gzip(trainLabels),
            "t10k-images-idx3-ubyte.gz": gzip(testImages),
            "t10k-labels-idx1-ubyte.gz": gzip(testLabels),
        ]
    }

    /// Writes the gzip files into `folder` of `directory` and returns that folder's path.
    @discardableResult
    func writeCompressed(into directory: TemporaryDirectory, folder: String) throws -> String {
        for (name, bytes) in compressedFiles {
            _ = try directory.write(bytes, to: folder + "/" + name)
        }
        return directory.path + "/" + folder
    }
}

/// An HTTP/1.0 server on 127.0.0.1 with a free port, serving fixed bodies by path.
///
/// Each connection gets one response and is then closed. Unknown paths get 404. Call
/// `stop()` when done.
final class LocalHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listeningSocket: Int32
    private let routes: [String: [UInt8]]
    private let lock = NSLock()
    private var requestedPaths: [String] = []
    private var isStopped = false

    init(routes: [String: [UInt8]]) throws {
        self.routes = routes

        #if canImport(Glibc)
            let socketType = Int32(SOCK_STREAM.rawValue)
        #else
            let socketType = SOCK_STREAM
        #endif
        let descriptor = socket(AF_INET, socketType, 0)
        guard descriptor >= 0 else {
            throw ServerError(message: "socket() failed: errno \(errno)")
        }

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bindStatus = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bindStatus == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw ServerError(message: "bind() or listen() failed: errno \(errno)")
        }

        var boundAddress = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &boundAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        listeningSocket = descriptor
        port = UInt16(bigEndian: boundAddress.sin_port)

        Thread { [self] in acceptLoop() }.start()
    }

    var baseURL: URL {
        URL(string: "http://127.0.0.1:\(port)/")!
    }

    /// Paths requested so far, in order.
    var requests: [String] {
        lock.lock()
        defer { lock.unlock() }
        return requestedPaths
    }

    /// Stops accepting connections. The accept thread keeps the server alive until then.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !isStopped else {
            return
        }
        isStopped = true
        // shutdown wakes the thread blocked in accept, which then closes the socket and exits.
        shutdown(listeningSocket, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listeningSocket, nil, nil)
            if connection < 0 && errno == EINTR {
                continue
            }
            if connection < 0 {
                close(listeningSocket)
                return
            }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ connection: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.containsHeaderEnd {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 {
                return
            }
            request += buffer[0..<count]
        }

        let requestLine = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : "/"
        lock.lock()
        requestedPaths.append(path)
        lock.unlock()

        let body = routes[path]
        let status = body == nil ? "404 Not Found" : "200 OK"
        let payload = body ?? Array("not found\n".utf8)
        let header = "HTTP/1.0 \(status)\r\nContent-Length: \(payload.count)\r\n"
            + "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n"
        sendAll(connection, Array(header.utf8) + payload)
    }

    private func sendAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { buffer in
                send(connection, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 {
                return
            }
            offset += sent
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        guard count >= 4 else {
            return false
        }
        for index in 0...(count - 4)
        where self[index] == 13 && self[index + 1] == 10 && self[index + 2] == 13 && self[index + 3] == 10 {
            return true
        }
        return false
    }
}

/// Path of a folder beside the repository, located from this source file, so the tests
/// work in any clone placed next to `shared/`.
func sharedDatasetsPath(_ folder: String, filePath: String = #filePath) -> String {
    let repositoryRoot = URL(fileURLWithPath: filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // DatasetsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    return repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/datasets/\(folder)").standardizedFileURL.path
}
