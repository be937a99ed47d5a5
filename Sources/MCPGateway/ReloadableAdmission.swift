import MCPTransports
import Synchronization

/// The HTTP front's admission, replaceable while the front runs: a reload that changes
/// `proxy.auth` swaps the authenticators for requests that arrive afterwards.
final class ReloadableAdmission: RequestAdmission {
    private let current: Mutex<any RequestAdmission>

    init(_ admission: any RequestAdmission) {
        current = Mutex(admission)
    }

    func replace(with admission: any RequestAdmission) {
        current.withLock { $0 = admission }
    }

    private var admission: any RequestAdmission {
        current.withLock { $0 }
    }

    func admitImmediately(_ request: AdmissionRequest) -> AdmissionDecision? {
        admission.admitImmediately(request)
    }

    func admit(_ request: AdmissionRequest) async -> AdmissionDecision {
        await admission.admit(request)
    }
}
