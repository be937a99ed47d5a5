#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The user and group a sandboxed child drops to, resolved in the parent (the child may not
/// call the name service between fork and exec).
struct SandboxAccount: Equatable {
    var uid: uid_t?
    var gid: gid_t?

    /// Resolves `sandbox.user` and `sandbox.group` (names or numeric ids). A group left out is the
    /// user's primary group. Returns nil when nothing needs to change: no user or group
    /// configured, or the proxy already runs as exactly that user and group.
    static func resolve(user: String?, group: String?, command: String) throws(TransportError) -> SandboxAccount? {
        guard user != nil || group != nil else { return nil }
        var account = SandboxAccount()
        var primaryGroup: gid_t?
        if let user {
            let entry = try lookUpUser(user)
            account.uid = entry.uid
            primaryGroup = entry.gid
        }
        if let group {
            account.gid = try lookUpGroup(group)
        } else if let primaryGroup {
            account.gid = primaryGroup
        } else {
            throw TransportError("sandbox.user '\(user ?? "")' of '\(command)' is a numeric id with no entry in the user database; give sandbox.group too")
        }
        if geteuid() != 0 {
            if (account.uid ?? getuid()) == getuid() && (account.gid ?? getgid()) == getgid() { return nil }
            throw TransportError("cannot run '\(command)' as user \(user ?? "(unchanged)") and group \(group ?? "(the user's)"): the proxy is not running as root; remove sandbox.user and sandbox.group or start the proxy as root")
        }
        return account
    }

    private static func lookUpUser(_ text: String) throws(TransportError) -> (uid: uid_t, gid: gid_t?) {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 << 10)
        if let number = UInt32(text) {
            let status = getpwuid_r(uid_t(number), &entry, &buffer, buffer.count, &found)
            return (uid_t(number), status == 0 && found != nil ? entry.pw_gid : nil)
        }
        let status = getpwnam_r(text, &entry, &buffer, buffer.count, &found)
        guard status == 0, found != nil else {
            throw TransportError("sandbox.user '\(text)' is not a user on this system; give an existing user name or a numeric uid")
        }
        return (entry.pw_uid, entry.pw_gid)
    }

    private static func lookUpGroup(_ text: String) throws(TransportError) -> gid_t {
        if let number = UInt32(text) { return gid_t(number) }
        var entry = group()
        var found: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 << 10)
        let status = getgrnam_r(text, &entry, &buffer, buffer.count, &found)
        guard status == 0, found != nil else {
            throw TransportError("sandbox.group '\(text)' is not a group on this system; give an existing group name or a numeric gid")
        }
        return entry.gr_gid
    }
}
