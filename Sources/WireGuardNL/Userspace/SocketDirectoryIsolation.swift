import CZmeshShims
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// wireguard-go puts its UAPI socket in the fixed `/var/run/wireguard`. To give one daemon another
/// directory, the thread that spawns it enters a private mount namespace in which that directory is
/// bind-mounted over `/var/run/wireguard`; the child inherits it.
enum SocketDirectoryIsolation {
    static let fixedDirectory = "/var/run/wireguard"

    /// On the calling thread, which must be a dedicated one thrown away afterwards: unshare the mount
    /// namespace, make every mount private (nothing propagates back to the host), detach
    /// `/run/netns` (the daemon must not keep the node's named network namespaces alive), and bind
    /// `directory` (created if missing) over ``fixedDirectory``.
    static func enter(_ directory: String) throws(SystemError) {
        if mkdir(directory, 0o700) == -1, errno != EEXIST {
            throw SystemError("create socket directory", directory, errno: errno)
        }
        try systemCall("unshare mount namespace for", directory) { zmesh_unshare(zmesh_clone_newns()) }
        try systemCall("make mounts private for", directory) {
            mount("none", "/", nil, UInt(MS_REC | MS_PRIVATE), nil)
        }
        _ = umount2(NetworkNamespace.namedDirectory, Int32(MNT_DETACH))  // not a mount point: nothing to drop
        if mkdir(fixedDirectory, 0o755) == -1, errno != EEXIST {
            throw SystemError("create", fixedDirectory, errno: errno)
        }
        try systemCall("bind mount", "\(directory) over \(fixedDirectory)") {
            mount(directory, fixedDirectory, nil, UInt(MS_BIND), nil)
        }
    }
}
