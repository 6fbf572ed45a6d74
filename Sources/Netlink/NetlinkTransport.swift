/// Where netlink datagrams go and come from. The real one is ``MnlSocket``; tests record and replay.
public protocol NetlinkTransport: AnyObject {
    /// The port id the kernel assigned to this socket (replies carry it).
    var portID: UInt32 { get }
    /// Sends one datagram (one or more netlink messages).
    func send(_ datagram: UnsafeRawBufferPointer) throws(NetlinkError)
    /// Receives one datagram into `buffer` and returns its length.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(NetlinkError) -> Int
}
