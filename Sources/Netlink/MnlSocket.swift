internal import CMnl
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A netlink socket opened with libmnl, bound to a kernel-assigned port id, with `NETLINK_CAP_ACK`
/// (error ACKs echo only the header) and `NETLINK_EXT_ACK` (error text) switched on.
///
/// The socket belongs to the network namespace of the thread that opened it, and keeps operating on
/// that namespace from any thread afterwards (see ``NetworkNamespace/run(_:)``).
public final class MnlSocket: NetlinkTransport {
    private let socket: OpaquePointer
    public let portID: UInt32
    public let bus: NetlinkProtocol

    public init(_ bus: NetlinkProtocol) throws(NetlinkError) {
        guard let socket = mnl_socket_open2(bus.rawValue, Int32(SOCK_CLOEXEC.rawValue)) else {
            throw .system(SystemError("open netlink socket", "\(bus)", errno: errno))
        }
        guard mnl_socket_bind(socket, 0, pid_t(MNL_SOCKET_AUTOPID)) == 0 else {
            let code = errno
            mnl_socket_close(socket)
            throw .system(SystemError("bind netlink socket", "\(bus)", errno: code))
        }
        var on: Int32 = 1
        // Best effort: both options exist since Linux 4.3/4.12; without them errors are just less precise.
        _ = mnl_socket_setsockopt(socket, NetlinkSocketOption.NETLINK_CAP_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(socket, NetlinkSocketOption.NETLINK_EXT_ACK, &on, socklen_t(MemoryLayout<Int32>.size))
        // Room for a burst of 32 KiB dump messages, so the kernel does not drop a reply (ENOBUFS).
        var receiveBuffer: Int32 = 1 << 20
        _ = setsockopt(mnl_socket_get_fd(socket), SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        self.socket = socket
        self.portID = mnl_socket_get_portid(socket)
        self.bus = bus
    }

    deinit { mnl_socket_close(socket) }

    public func send(_ datagram: UnsafeRawBufferPointer) throws(NetlinkError) {
        guard let base = datagram.baseAddress else { return }
        while true {
            let sent = mnl_socket_sendto(socket, base, datagram.count)
            if sent >= 0 { return }
            if errno == EINTR { continue }
            throw .system(SystemError("send netlink message", "\(bus)", errno: errno))
        }
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws(NetlinkError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let received = mnl_socket_recvfrom(socket, base, buffer.count)
            if received >= 0 { return received }
            if errno == EINTR { continue }
            // ENOSPC: a message was larger than our buffer (MSG_TRUNC) — never happens with 32 KiB dumps.
            throw .system(SystemError("receive netlink message", "\(bus)", errno: errno))
        }
    }
}
