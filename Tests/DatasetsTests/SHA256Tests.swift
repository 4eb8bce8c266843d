import Foundation
import Testing

import Datasets

@Suite struct SHA256Tests {
    @Test func emptyInput() {
        #expect(SHA256.hexDigest([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abcVector() {
        let digest = SHA256.hexDigest(Array("abc".utf8))

        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockVector() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(SHA256.hexDigest(message) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func millionLetterVector() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hexDigest(message) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [1, 7, 55, 56, 63, 64, 65, 127, 128, 129, 1000])
    func chunkedUpdatesMatchOneShot(length: Int) {
        let message = patternBytes(count: length, seed: UInt32(length))
        let expected = SHA256.hash(message)

        for split in [0, 1, length / 3, length / 2, length - 1, length] where split >= 0 && split <= length {
            var hasher = SHA256()
            hasher.update(message[0..<split])
            message[split...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finalize() == expected, "split at \(split)")
        }

        var byteByByte = SHA256()
        for byte in message {
            byteByByte.update(CollectionOfOne(byte))
        }
        #expect(byteByByte.finalize() == expected)
    }

    @Test func fileDigestMatchesBufferDigest() throws {
        let directory = try TemporaryDirectory()
        let bytes = patternBytes(count: 3 << 20 | 17)
        let path = try directory.write(bytes, to: "payload.bin")

        #expect(try SHA256.hexDigest(ofFileAtPath: path) == SHA256.hexDigest(bytes))
    }

    @Test func fileDigestOfMissingFile() {
        #expect(throws: DatasetError.self) {
            try SHA256.hexDigest(ofFileAtPath: "/nonexistent/weft/file.bin")
        }
    }
}
