import CZmeshShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Named network namespaces made and removed exactly as iproute2's `ip netns add` / `ip netns delete`
/// do, so `ip netns list`, `ip -n NAME …` and `ip netns exec NAME …` see and use them.
///
/// A named namespace is a bind mount of a namespace file onto `/run/netns/NAME`. The directory is
/// made a mount point with *shared* propagation first (under an exclusive `flock` on it, against
/// parallel `ip netns add` storms), so that deleting the name in one mount namespace releases it in
/// every other. All of this needs `CAP_SYS_ADMIN` (mounts) in the initial user namespace: run as root.
extension NetworkNamespace {
    /// Where iproute2 keeps named namespaces (`/var/run/netns`; `/var/run` is `/run` on Debian).
    public static let namedDirectory = "/run/netns"

    /// The name iproute2 shows for this namespace (the file name under `/run/netns`), or `nil` when
    /// the path is elsewhere (`/proc/PID/ns/net`).
    public var name: String? {
        let prefix = NetworkNamespace.namedDirectory + "/"
        guard path.hasPrefix(prefix) else { return nil }
        let rest = path.dropFirst(prefix.count)
        return rest.isEmpty || rest.contains("/") ? nil : String(rest)
    }

    /// `ip netns add NAME`: creates a fresh network namespace (loopback down, as the kernel makes it)
    /// and names it `NAME`.
    ///
    /// The namespace is created by `unshare(CLONE_NEWNET)` on a dedicated thread that is discarded
    /// afterwards, and `/proc/thread-self/ns/net` of that thread is bind-mounted (never
    /// `/proc/self/ns/net`, which names the main thread's namespace). On any failure the file and
    /// mount made so far are removed.
    ///
    /// - Throws: ``SystemError`` with `EINVAL` for a name iproute2 refuses (empty, `.`, `..`, a `/`,
    ///   longer than 255 bytes), `EEXIST` when the name is taken, or the errno of the failing call.
    @discardableResult
    public static func create(named name: String) throws(SystemError) -> NetworkNamespace {
        try validate(name: name, for: "create network namespace")
        let namespace = NetworkNamespace.named(name)
        try NamedNamespaceDirectory.prepare()
        let fd = try systemCall("create network namespace", name) {
            open(namespace.path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0))
        }
        close(fd)
        do {
            try DedicatedThread.run { () throws -> Void in
                try systemCall("create network namespace (unshare)", name) { zmesh_unshare(zmesh_clone_newnet()) }
                try systemCall("create network namespace (bind mount)", name) {
                    mount("/proc/thread-self/ns/net", namespace.path, "none", UInt(MS_BIND), nil)
                }
            }
        } catch {
            _ = umount2(namespace.path, Int32(MNT_DETACH))
            unlink(namespace.path)
            throw (error as? SystemError) ?? SystemError("create network namespace", name, errno: EIO)
        }
        return namespace
    }

    /// `ip netns delete NAME`: detaches the bind mount (`umount2` with `MNT_DETACH`) and removes the
    /// file. The namespace itself lives on while anything still references it (a process or thread in
    /// it, an open fd, a socket created in it).
    ///
    /// - Throws: ``SystemError`` with `ENOENT` when no namespace has that name.
    public static func delete(named name: String) throws(SystemError) {
        try validate(name: name, for: "delete network namespace")
        let path = NetworkNamespace.named(name).path
        if umount2(path, Int32(MNT_DETACH)) == -1 {
            let code = errno
            // EINVAL: not a mount point (a half-made name); still remove the file below.
            if code != EINVAL { throw SystemError("delete network namespace", name, errno: code) }
        }
        try systemCall("delete network namespace", name) { unlink(path) }
    }

    /// `ip netns list`: the names under `/run/netns`, sorted. Empty when the directory does not exist.
    public static func namedNamespaces() throws(SystemError) -> [String] {
        guard let directory = opendir(namedDirectory) else {
            let code = errno
            if code == ENOENT { return [] }
            throw SystemError("list network namespaces", namedDirectory, errno: code)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Whether `/run/netns/NAME` exists and is a namespace mount (not a stale, unmounted file).
    public static func exists(named name: String) -> Bool {
        guard (try? validate(name: name, for: "")) != nil else { return false }
        var mine = stat()
        var parent = stat()
        guard stat(NetworkNamespace.named(name).path, &mine) == 0, stat(namedDirectory, &parent) == 0 else {
            return false
        }
        // A bind-mounted namespace file lives on the nsfs pseudo file system, not the directory's.
        return mine.st_dev != parent.st_dev
    }

    /// iproute2's rule (`ip/ipnetns.c`): not empty, not `.` or `..`, no `/`, at most NAME_MAX bytes.
    static func validate(name: String, for operation: String) throws(SystemError) {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= 255, name != ".", name != "..", !bytes.contains(UInt8(ascii: "/")),
            !bytes.contains(0)
        else { throw SystemError(operation, "'\(name)' (not a valid namespace name)", errno: EINVAL) }
    }
}

/// `/run/netns` as iproute2 sets it up: a directory that is a mount point with shared propagation.
enum NamedNamespaceDirectory {
    /// Creates the directory if needed and makes it a shared mount point, under an exclusive `flock`.
    static func prepare() throws(SystemError) {
        let path = NetworkNamespace.namedDirectory
        if mkdir(path, 0o755) == -1 && errno != EEXIST {
            throw SystemError("create directory", path, errno: errno)
        }
        let fd = try systemCall("open directory", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try systemCall("lock", path) { flock(fd, LOCK_EX) }
        defer { flock(fd, LOCK_UN) }
        var madeMountPoint = false
        while mount("", path, "none", UInt(MS_SHARED | MS_REC), nil) == -1 {
            let code = errno
            // EINVAL: not a mount point yet. Make it one (bind it onto itself), give it its own peer
            // group (private, then shared on the retry), once.
            guard code == EINVAL, !madeMountPoint else { throw SystemError("make shared mount", path, errno: code) }
            try systemCall("bind mount", path) { mount(path, path, "none", UInt(MS_BIND | MS_REC), nil) }
            try systemCall("make private mount", path) { mount("", path, "none", UInt(MS_PRIVATE | MS_REC), nil) }
            madeMountPoint = true
        }
    }
}
