import Foundation
import SystemSupport

/// Python helpers the grid runs inside namespaces (python3 from Debian; raw sockets need root).
enum Scripts {
    /// The Internet checksum of ICMP (RFC 1071), as a Python function `checksum(data)` (needs `struct`).
    static let icmpChecksum = #"""
        def checksum(data):
            if len(data) % 2: data += b"\0"
            total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
            total = (total >> 16) + (total & 0xffff)
            total += total >> 16
            return ~total & 0xffff
        """#

    /// A Python function `bound(kind, port)`: a socket of `kind` (`socket.SOCK_STREAM`, listening, or
    /// `socket.SOCK_DGRAM`) bound to `port` on every IPv4 and IPv6 address (needs `socket`).
    static let dualStackSocket = #"""
        def bound(kind, port):
            s = socket.socket(socket.AF_INET6, kind)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            if kind == socket.SOCK_STREAM:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("::", port))
            if kind == socket.SOCK_STREAM:
                s.listen(16)
            return s
        """#

    /// `ping.py ADDRESS INTERVAL`: an ICMP(v6) echo request every INTERVAL seconds until SIGTERM or
    /// SIGINT, then up to 2 s more for outstanding replies; prints one JSON line: sent, received, the
    /// sequence numbers lost, the longest run of lost requests, replies to a request already answered
    /// (duplicates), the largest round trip.
    static let ping = #"""
        import json, os, random, select, signal, socket, struct, sys, time
        address, interval = sys.argv[1], float(sys.argv[2])
        v6 = ":" in address
        if v6:
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            request, reply = 128, 129
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            request, reply = 8, 0
        ident = random.randint(1, 0xffff)
        \#(Scripts.icmpChecksum)
        stop = False
        def on_signal(*_):
            global stop
            stop = True
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        sent, rtts, errors, duplicates = {}, {}, 0, 0
        seq, next_send, drain_until = 0, time.monotonic(), None
        while True:
            now = time.monotonic()
            if stop and drain_until is None:
                drain_until = now + 2.0
            if drain_until is not None and (now >= drain_until or len(rtts) == len(sent)):
                break
            if not stop and now >= next_send:
                seq += 1
                header = struct.pack("!BBHHH", request, 0, 0, ident, seq & 0xffff)
                payload = b"zmesh-grid-ping"
                if not v6:
                    header = struct.pack("!BBHHH", request, 0, checksum(header + payload), ident, seq & 0xffff)
                sent[seq] = now
                try:
                    s.sendto(header + payload, (address, 0))
                except OSError:
                    errors += 1
                next_send += interval
                if next_send < now:
                    next_send = now + interval
            deadline = drain_until if drain_until is not None else next_send
            ready, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
            if ready:
                data = s.recv(4096)
                if not v6:
                    data = data[(data[0] & 0x0f) * 4:]
                if len(data) >= 8 and data[0] == reply:
                    _, _, _, rid, rseq = struct.unpack("!BBHHH", data[:8])
                    if rid == ident:
                        waiting = [n for n in sent if n & 0xffff == rseq and n not in rtts]
                        if waiting:
                            rtts[waiting[0]] = time.monotonic() - sent[waiting[0]]
                        elif any(n & 0xffff == rseq for n in sent):
                            duplicates += 1
        lost = [n for n in sorted(sent) if n not in rtts]
        longest, run, previous = 0, 0, None
        for n in lost:
            run = run + 1 if previous == n - 1 else 1
            longest, previous = max(longest, run), n
        print(json.dumps({"sent": len(sent), "received": len(rtts), "lost": lost[:100], "longest_loss": longest,
                          "send_errors": errors, "duplicates": duplicates, "max_rtt_ms": round(max(rtts.values(), default=0) * 1000, 3)}))
        """#

    /// `tcp.py serve PORT`: accepts one connection, counts the bytes until EOF, answers the count.
    /// `tcp.py send ADDRESS PORT BYTES`: connects (retrying up to 10 s), sends BYTES bytes, shuts down
    /// its sending side and prints the count the server answered.
    static let tcp = #"""
        import socket, sys, time
        \#(Scripts.dualStackSocket)
        if sys.argv[1] == "serve":
            server = bound(socket.SOCK_STREAM, int(sys.argv[2]))
            connection, _ = server.accept()
            total = 0
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                total += len(chunk)
            connection.sendall(str(total).encode())
            connection.close()
        else:
            address, port, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
            deadline = time.monotonic() + 10
            while True:
                try:
                    client = socket.create_connection((address, port), timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            block = b"z" * 65536
            left = count
            while left > 0:
                client.sendall(block[:min(left, len(block))])
                left -= min(left, len(block))
            client.shutdown(socket.SHUT_WR)
            answer = b""
            while True:
                chunk = client.recv(100)
                if not chunk:
                    break
                answer += chunk
            print(answer.decode())
        """#
}

extension Grid {
    /// Writes `text` to `<directory>/<name>` once and returns the path.
    func script(_ name: String, _ text: String) throws(GridError) -> String {
        let path = "\(directory)/\(name)"
        if !FileManager.default.fileExists(atPath: path) {
            do { try FileIO.writeFile(text, to: path, mode: 0o755) } catch { throw GridError("write", path, error.description) }
        }
        return path
    }
}

