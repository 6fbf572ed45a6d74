import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the temporary directory, removed with everything in it by ``remove()``
/// or when the object goes away.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "zmesh-test") throws {
        let base = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
        guard let made else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = made
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
