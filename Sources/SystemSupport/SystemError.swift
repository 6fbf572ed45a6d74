#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A failed system call: what was attempted, on what, and the errno it returned.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let object: String
    public let errno: Int32

    public init(_ operation: String, _ object: String, errno: Int32) {
        self.operation = operation
        self.object = object
        self.errno = errno
    }

    public var description: String { "\(operation) \(object): \(SystemError.message(for: errno))" }

    /// `strerror` text for an errno value.
    public static func message(for errno: Int32) -> String {
        guard let s = strerror(errno) else { return "errno \(errno)" }
        return String(cString: s)
    }
}

/// The one place system calls are made from this module: runs `call`, retrying on EINTR, and turns a
/// -1 result into a ``SystemError`` naming the operation and object.
@discardableResult
public func systemCall<T: FixedWidthInteger>(_ operation: String, _ object: String, _ call: () -> T) throws(SystemError) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SystemError(operation, object, errno: code)
    }
}
