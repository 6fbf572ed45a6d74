internal import CNLRoute
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// What the kernel said in its last `NLMSG_ERROR`: the errno and, when extended ACKs are on, its
/// message. libnl itself only reports its own `NLE_*` code (and maps every errno it does not know
/// to `NLE_FAILURE`), so a custom error callback records the original here.
///
/// Written by libnl's callback on the thread that holds the socket's lock, read by the same thread:
/// never shared without that lock.
final class KernelErrorRecorder: @unchecked Sendable {
    var errno: Int32 = 0
    var message: String?

    func reset() {
        errno = 0
        message = nil
    }
}

/// The one place in RouteNL where libnl return codes become ``RouteNLError`` values.
enum LibNL {
    /// `NETLINK_EXT_ACK` / `SOL_NETLINK`: ask the kernel for a text reason with each error.
    static let NETLINK_EXT_ACK: Int32 = 11
    static let SOL_NETLINK: Int32 = 270
    static let NLM_F_CAPPED: UInt16 = 0x100
    static let NLM_F_ACK_TLVS: UInt16 = 0x200
    static let NLMSGERR_ATTR_MSG: UInt16 = 1

    /// Throws when `rc` (a libnl return value) is negative.
    static func check(_ rc: Int32, _ context: @autoclosure () -> FailureContext, _ recorder: KernelErrorRecorder)
        throws(RouteNLError)
    {
        guard rc < 0 else { return }
        throw failure(rc, context(), recorder)
    }

    /// The error for a negative libnl return value, preferring the kernel's own errno and message.
    static func failure(_ rc: Int32, _ context: FailureContext, _ recorder: KernelErrorRecorder) -> RouteNLError {
        let code: RouteNLError.Code
        let reason: String
        if recorder.errno != 0 {
            code = self.code(errno: recorder.errno)
            reason = recorder.message ?? SystemError.message(for: recorder.errno)
        } else {
            code = self.code(nle: abs(rc))
            reason = nl_geterror(rc).map { String(cString: $0) } ?? "libnl error \(abs(rc))"
        }
        return RouteNLError(
            code, operation: context.operation, object: context.object, namespace: context.namespace, reason: reason)
    }

    /// The error for a failed system call made on RouteNL's behalf (entering or naming a namespace).
    static func failure(_ error: SystemError, _ context: FailureContext, namespace: NetworkNamespace?) -> RouteNLError {
        let missing = namespace.map { $0.isMissing(error) } ?? false
        let code: RouteNLError.Code = missing ? .unknownNamespace : self.code(errno: error.errno)
        let reason = missing ? "no such network namespace" : error.description
        return RouteNLError(
            code, operation: context.operation, object: context.object, namespace: context.namespace, reason: reason)
    }

    static func code(errno: Int32) -> RouteNLError.Code {
        switch errno {
        case EEXIST: .exists
        case ENODEV: .noSuchDevice
        case ENOENT, ESRCH, EADDRNOTAVAIL: .notFound
        case EPERM, EACCES: .permissionDenied
        case EBUSY: .busy
        case EOPNOTSUPP: .notSupported
        case EINVAL, ERANGE: .invalidArgument
        default: .kernel(errno: errno)
        }
    }

    static func code(nle: Int32) -> RouteNLError.Code {
        switch nle {
        case NLE_EXIST: .exists
        case NLE_NODEV: .noSuchDevice
        case NLE_OBJ_NOTFOUND, NLE_NOADDR: .notFound
        case NLE_PERM, NLE_NOACCESS: .permissionDenied
        case NLE_BUSY: .busy
        case NLE_OPNOTSUPP: .notSupported
        case NLE_INVAL, NLE_RANGE: .invalidArgument
        default: .library(code: nle)
        }
    }

    /// Opens a `NETLINK_ROUTE` socket on the calling thread (so in its network namespace), with
    /// extended ACKs on and the error callback that fills `recorder`.
    static func openSocket(_ recorder: KernelErrorRecorder, _ context: FailureContext) throws(RouteNLError)
        -> SocketPointer
    {
        guard let socket = nl_socket_alloc() else {
            throw RouteNLError(
                .library(code: NLE_NOMEM), operation: context.operation, object: context.object,
                namespace: context.namespace, reason: "out of memory")
        }
        let rc = nl_connect(socket, NETLINK_ROUTE)
        guard rc >= 0 else {
            nl_socket_free(socket)
            throw failure(rc, context, recorder)
        }
        var on: Int32 = 1
        _ = setsockopt(nl_socket_get_fd(socket), SOL_NETLINK, NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        nl_socket_modify_err_cb(
            socket, NL_CB_CUSTOM,
            { _, error, argument in
                guard let error, let argument else { return Int32(NL_STOP.rawValue) }
                let recorder = Unmanaged<KernelErrorRecorder>.fromOpaque(argument).takeUnretainedValue()
                recorder.errno = -error.pointee.error
                recorder.message = LibNL.extendedAckMessage(UnsafeRawPointer(error))
                return Int32(NL_STOP.rawValue)
            }, Unmanaged.passUnretained(recorder).toOpaque())
        return SocketPointer(raw: socket)
    }

    /// ``openSocket(_:_:)`` on a thread inside `namespace` (`nil`: on the calling thread).
    static func openSocket(in namespace: NetworkNamespace?, _ recorder: KernelErrorRecorder, _ context: FailureContext)
        throws(RouteNLError) -> SocketPointer
    {
        guard let namespace else { return try openSocket(recorder, context) }
        do {
            return try namespace.run { () throws(RouteNLError) -> SocketPointer in try openSocket(recorder, context) }
        } catch let error as RouteNLError {
            throw error
        } catch let error as SystemError {
            throw failure(error, context, namespace: namespace)
        } catch {
            throw RouteNLError(
                .library(code: NLE_FAILURE), operation: context.operation, object: context.object,
                namespace: context.namespace, reason: "\(error)")
        }
    }

    /// The `NLMSGERR_ATTR_MSG` text of an error message, given a pointer to its `struct nlmsgerr`
    /// (libnl passes that; the 16-byte `nlmsghdr` sits right before it).
    static func extendedAckMessage(_ error: UnsafeRawPointer) -> String? {
        let header = error - 16
        let length = Int(header.loadUnaligned(as: UInt32.self))
        let flags = header.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        guard flags & NLM_F_ACK_TLVS != 0 else { return nil }
        // struct nlmsgerr: int error, then the request's header (and its payload unless capped).
        let echoed = flags & NLM_F_CAPPED != 0 ? 16 : Int(error.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var offset = 16 + 4 + ((echoed + 3) & ~3)
        while offset + 4 <= length {
            let attributeLength = Int(header.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = header.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & 0x3fff
            guard attributeLength >= 4, offset + attributeLength <= length else { return nil }
            if type == NLMSGERR_ATTR_MSG {
                let bytes = UnsafeRawBufferPointer(start: header + offset + 4, count: attributeLength - 4)
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            offset += (attributeLength + 3) & ~3
        }
        return nil
    }
}

/// An `nl_sock *` crossing from the thread that created it (inside the namespace) to its owner.
struct SocketPointer: @unchecked Sendable {
    let raw: OpaquePointer
}

/// The words of an error message: what, on what, where.
struct FailureContext {
    let operation: String
    let object: String
    let namespace: String
}
