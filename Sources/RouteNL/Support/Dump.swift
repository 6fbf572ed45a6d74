internal import CNLRoute

extension Connection {
    /// Sends an `RTM_GET*` dump request and reads every object of the reply with `read`, one
    /// parsed object at a time.
    ///
    /// Not libnl's caches: a cache keys routes by family, table, destination, TOS and priority, so
    /// two IPv6 routes differing only in their device (`fe80::/64 dev a`, `fe80::/64 dev b`)
    /// collapse into one. `NLM_F_DUMP_INTR` (the table changed during the dump) restarts it a few
    /// times.
    func dump<T>(_ messageType: Int32, _ operation: String, _ object: String, _ read: (OpaquePointer) -> [T])
        throws(RouteNLError) -> [T]
    {
        try withoutActuallyEscaping(read) { (read) throws(RouteNLError) -> [T] in
            var attempt = 0
            while true {
                recorder.reset()
                var values: [T] = []
                let collector = DumpCollector { values += read($0) }
                try check(nl_rtgen_request(socket, messageType, AF_UNSPEC, NLM_F_DUMP), operation, object)
                // A copy of the socket's callbacks (keeping the error recorder) with our own VALID one.
                guard let current = nl_socket_get_cb(socket) else {
                    throw refusal(.library(code: NLE_NOMEM), operation, object, "no callbacks")
                }
                let clone = nl_cb_clone(current)
                nl_cb_put(current)  // nl_socket_get_cb took a reference
                guard let callbacks = clone else {
                    throw refusal(.library(code: NLE_NOMEM), operation, object, "out of memory")
                }
                _ = nl_cb_set(
                    callbacks, NL_CB_VALID, NL_CB_CUSTOM,
                    { message, argument in
                        guard let message, let argument else { return Int32(NL_OK.rawValue) }
                        _ = nl_msg_parse(
                            message,
                            { parsed, argument in
                                guard let parsed, let argument else { return }
                                Unmanaged<DumpCollector>.fromOpaque(argument).takeUnretainedValue().take(parsed)
                            }, argument)
                        return Int32(NL_OK.rawValue)
                    }, Unmanaged.passUnretained(collector).toOpaque())
                let rc = withExtendedLifetime(collector) { nl_recvmsgs(socket, callbacks) }
                nl_cb_put(callbacks)
                if rc == -NLE_DUMP_INTR, attempt < 5 {
                    attempt += 1
                    continue
                }
                try check(rc, operation, object)
                return values
            }
        }
    }
}

/// Hands a dump's parsed objects to the reader; only used by the thread running the dump.
private final class DumpCollector {
    let take: (OpaquePointer) -> Void

    init(_ take: @escaping (OpaquePointer) -> Void) { self.take = take }
}
