public import SystemSupport

/// Why a netlink exchange failed.
public enum NetlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kernel answered with a negative errno; `message` is the extended-ACK text when it sent one,
    /// `offset` the byte offset of the offending attribute in our request.
    case kernel(operation: String, errno: Int32, message: String?, offset: UInt32?)
    /// A socket call failed.
    case system(SystemError)
    /// A reply did not have the shape netlink promises.
    case malformed(operation: String, reason: String)
    /// The kernel reported that the dump changed under us; the caller restarts it.
    case dumpInterrupted(operation: String)
    /// A message did not fit in the budget even on its own.
    case messageTooLarge(operation: String, bytes: Int, budget: Int)

    public var errno: Int32? {
        switch self {
        case .kernel(_, let errno, _, _): errno
        case .system(let error): error.errno
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .kernel(let operation, let errno, let message, _):
            let text = SystemError.message(for: errno)
            return message.map { "\(operation): \(text) (\($0))" } ?? "\(operation): \(text)"
        case .system(let error): return error.description
        case .malformed(let operation, let reason): return "\(operation): malformed netlink reply: \(reason)"
        case .dumpInterrupted(let operation): return "\(operation): dump interrupted by a concurrent change"
        case .messageTooLarge(let operation, let bytes, let budget):
            return "\(operation): a single item needs \(bytes) bytes, more than the \(budget)-byte message budget"
        }
    }
}
