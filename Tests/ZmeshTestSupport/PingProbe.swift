/// ICMPv6 echo between test namespaces, with python3 and a raw socket (root): no dependency on
/// iputils `ping`, and a plain answer — a reply came back within the timeout, or not. Only
/// addresses inside namespaces the test made are ever used.
public enum PingProbe {
    private static let echoScript = """
        import os, socket, struct, sys, time
        address, timeout = sys.argv[1], float(sys.argv[2])
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        ident = os.getpid() & 0xffff
        # Type 128 (echo request); the kernel fills in the checksum of raw ICMPv6 packets.
        s.sendto(struct.pack("!BBHHH", 128, 0, 0, ident, 1) + b"zmesh-probe", (address, 0))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print("timeout")
                break
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(2048)
            except socket.timeout:
                print("timeout")
                break
            if len(data) >= 8 and data[0] == 129 and struct.unpack("!H", data[4:6])[0] == ident:
                print("reply")
                break
        """

    /// Sends one ICMPv6 echo request from `namespace` to `address`; whether the echo reply came
    /// back within `timeout` seconds.
    public static func echo6(from namespace: String, to address: String, timeout: Double = 1) throws -> Bool {
        let output = try ShellCommand.run([
            "ip", "netns", "exec", namespace, NetworkTestEnvironment.python, "-c", echoScript, address, String(timeout),
        ])
        return output.split(separator: "\n").last == "reply"
    }
}
