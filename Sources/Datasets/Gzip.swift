import CZlib
import Foundation

/// Streaming gzip decompression with zlib's `inflate`.
enum Gzip {
    enum DecompressionError: Error {
        /// The file ended before the end of the last gzip member. `partial` contains the bytes
        /// decompressed so far.
        case truncatedStream(partial: [UInt8])
        case failed(DatasetError)
    }

    private static let inputChunkSize = 1 << 16
    private static let outputChunkSize = 1 << 18

    /// Decompresses a gzip file read in 64 KiB chunks.
    ///
    /// Concatenated gzip members are decompressed one after the other, as `gzip -d` does.
    static func decompressFile(atPath path: String) throws(DecompressionError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw .failed(.unreadableFile(path: path, reason: reason))
        }
        defer { fclose(file) }

        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: inputChunkSize)
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: outputChunkSize)
        defer {
            input.deallocate()
            output.deallocate()
        }

        let inputCount = fread(input, 1, inputChunkSize, file)
        guard inputCount >= 2, input[0] == 0x1f, input[1] == 0x8b else {
            let found = Array(UnsafeBufferPointer(start: input, count: min(inputCount, 4)))
            throw .failed(.invalidMagic(path: path, found: found, compressed: true))
        }

        var stream = z_stream()
        // 16 + MAX_WBITS (15) makes inflate expect a gzip header and trailer.
        let initStatus = inflateInit2_(&stream, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            let reason = "zlib could not start (inflateInit2 returned \(initStatus))"
            throw .failed(.invalidGzip(path: path, reason: reason))
        }
        defer { inflateEnd(&stream) }

        var result: [UInt8] = []
        var memberEnded = false
        var pendingCount = inputCount
        while pendingCount > 0 {
            stream.next_in = input
            stream.avail_in = UInt32(pendingCount)

            inflateChunk: while true {
                if memberEnded {
                    guard stream.avail_in > 0 else {
                        break inflateChunk
                    }
                    // Bytes after a complete member must start another member.
                    guard stream.next_in.pointee == 0x1f else {
                        throw .failed(.invalidGzip(
                            path: path, reason: "unexpected data after the end of the gzip stream"))
                    }
                    inflateReset(&stream)
                    memberEnded = false
                }

                stream.next_out = output
                stream.avail_out = UInt32(outputChunkSize)
                let status = inflate(&stream, Z_NO_FLUSH)
                let producedCount = outputChunkSize - Int(stream.avail_out)
                result.append(contentsOf: UnsafeBufferPointer(start: output, count: producedCount))

                switch status {
                case Z_STREAM_END:
                    memberEnded = true
                case Z_OK:
                    // A full output buffer may leave output pending inside zlib, so only an
                    // output buffer with space left proves that this chunk is done.
                    if stream.avail_in == 0 && stream.avail_out > 0 {
                        break inflateChunk
                    }
                case Z_BUF_ERROR:
                    // No progress is possible without more input.
                    break inflateChunk
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw .failed(.invalidGzip(path: path, reason: message))
                }
            }

            pendingCount = fread(input, 1, inputChunkSize, file)
            if pendingCount == 0 && ferror(file) != 0 {
                let reason = String(cString: strerror(errno))
                throw .failed(.unreadableFile(path: path, reason: reason))
            }
        }

        guard memberEnded else {
            throw .truncatedStream(partial: result)
        }
        return result
    }
}
