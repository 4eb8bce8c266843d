import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The program that transfers files from the mirrors.
public enum DownloadMethod: Equatable, Sendable {
    /// Foundation's `URLSession` (from FoundationNetworking on Linux).
    case urlSession
    /// The `curl` command found on `PATH`.
    case curl

    /// `urlSession` where Foundation provides it, otherwise `curl`.
    public static var platformDefault: DownloadMethod {
        #if canImport(FoundationNetworking) || canImport(Darwin)
            return .urlSession
        #else
            return .curl
        #endif
    }
}

extension DatasetLoader {
    /// Downloads `file` into `cacheDirectory`, trying each mirror in turn, and returns its path.
    ///
    /// The transfer goes to a hidden temporary file in the cache folder. Only a file whose
    /// SHA-256 digest matches is renamed into place, so the cache never contains a partial or
    /// corrupt download under the real name.
    func download(_ file: DatasetFile) throws(DatasetError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw DatasetError.unwritableDirectory(path: cacheDirectory, reason: error.localizedDescription)
        }

        let destination = cacheDirectory + "/" + file.fileName
        var attempts: [DownloadAttempt] = []
        var checksumMismatches: [DatasetError] = []

        for mirror in mirrors {
            let url = mirror.appendingPathComponent(file.fileName)
            let temporaryPath = cacheDirectory + "/." + file.fileName + "." + UUID().uuidString + ".partial"
            defer { try? FileManager.default.removeItem(atPath: temporaryPath) }

            log("Downloading \(url.absoluteString) to \(destination)")
            do {
                try transfer(from: url, to: temporaryPath)
            } catch {
                log("Download of \(url.absoluteString) failed: \(error.reason)")
                attempts.append(DownloadAttempt(url: url.absoluteString, reason: error.reason))
                continue
            }

            let actual = try SHA256.hexDigest(ofFileAtPath: temporaryPath)
            let expected = file.sha256.lowercased()
            guard actual == expected else {
                let mismatch = DatasetError.checksumMismatch(
                    url: url.absoluteString, expected: expected, actual: actual, destination: destination)
                log(mismatch.description)
                checksumMismatches.append(mismatch)
                attempts.append(DownloadAttempt(
                    url: url.absoluteString, reason: "SHA-256 is \(actual), expected \(expected)"))
                continue
            }

            guard rename(temporaryPath, destination) == 0 else {
                let reason = String(cString: strerror(errno))
                throw DatasetError.unwritableDirectory(
                    path: cacheDirectory, reason: "renaming the download to \(destination) failed: \(reason)")
            }
            log("Saved \(destination) (SHA-256 verified)")
            return destination
        }

        // A mismatch on every mirror is reported as such, because retrying will not help.
        if let lastMismatch = checksumMismatches.last, checksumMismatches.count == attempts.count {
            throw lastMismatch
        }
        throw DatasetError.downloadFailed(
            fileName: file.fileName, destinationDirectory: cacheDirectory, attempts: attempts)
    }

    private func transfer(from url: URL, to path: String) throws(TransferError) {
        switch downloadMethod {
        case .urlSession:
            try transferWithURLSession(from: url, to: path)
        case .curl:
            try transferWithCurl(from: url, to: path)
        }
    }

    private func transferWithURLSession(from url: URL, to path: String) throws(TransferError) {
        // URLSession in swift-corelibs-foundation (Swift 6.3 on Linux) rejects file URLs as
        // "unsupported URL", so a mirror in a local folder is copied directly.
        if url.isFileURL {
            do {
                try FileManager.default.copyItem(atPath: url.path, toPath: path)
            } catch {
                throw TransferError(reason: error.localizedDescription)
            }
            return
        }

        #if canImport(FoundationNetworking) || canImport(Darwin)
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = 60
            let session = URLSession(configuration: configuration)
            defer { session.finishTasksAndInvalidate() }

            let completion = TransferCompletion()
            let task = session.dataTask(with: url) { data, response, error in
                completion.finish(data: data, response: response, error: error)
            }
            task.resume()
            let (data, response, error) = completion.wait()

            if let error {
                throw TransferError(reason: error.localizedDescription)
            }
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                throw TransferError(reason: "HTTP status \(http.statusCode)")
            }
            guard let data else {
                throw TransferError(reason: "the response has no body")
            }
            do {
                try data.write(to: URL(fileURLWithPath: path))
            } catch {
                throw TransferError(reason: "writing \(path) failed: \(error.localizedDescription)")
            }
        #else
            throw TransferError(reason: "URLSession is not available on this platform; use DownloadMethod.curl")
        #endif
    }

    private func transferWithCurl(from url: URL, to path: String) throws(TransferError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "curl", "--fail", "--silent", "--show-error", "--location",
            "--connect-timeout", "60", "--output", path, url.absoluteString,
        ]
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice

        do {
            try process.run()
        } catch {
            throw TransferError(reason: "starting curl failed: \(error.localizedDescription)")
        }
        let errorOutput = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        guard process.terminationStatus == 0 else {
            let message = String(decoding: errorOutput, as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw TransferError(reason: "curl exited with status \(process.terminationStatus): \(message)")
        }
    }
}

struct TransferError: Error {
    let reason: String
}

#if canImport(FoundationNetworking) || canImport(Darwin)
    /// Carries a data task's result from URLSession's delegate queue to the waiting caller.
    private final class TransferCompletion: @unchecked Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        // Written once before `signal` and read only after `wait`, which orders the accesses.
        private var data: Data?
        private var response: URLResponse?
        private var error: Error?

        func finish(data: Data?, response: URLResponse?, error: Error?) {
            self.data = data
            self.response = response
            self.error = error
            semaphore.signal()
        }

        func wait() -> (Data?, URLResponse?, Error?) {
            semaphore.wait()
            return (data, response, error)
        }
    }
#endif
