#if os(Linux)
import Glibc
@testable import MCPTransports
import Testing

/// Counting the open descriptors by listing `/proc/self/fd` finds what probing each number finds.
/// Other tests of the process open and close descriptors meanwhile, so each check may take a few
/// attempts; it must hold in one of them.
@Suite struct FileDescriptorBudgetTests {
    static let attempts = 100

    @Test func theListingCountsWhatTheProbeCounts() {
        let agreed = (0..<Self.attempts).contains { _ in
            FileDescriptorBudget.listedDescriptors() == FileDescriptorBudget.probedDescriptors(below: 65_536)
        }
        #expect(agreed)
    }

    @Test func anOpenedDescriptorIsCounted() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]); close(ends[1]) }
        let counted = (0..<Self.attempts).contains { _ in
            guard let before = FileDescriptorBudget.listedDescriptors() else { return false }
            let extra = dup(ends[0])
            defer { close(extra) }
            return FileDescriptorBudget.listedDescriptors() == before + 1
        }
        #expect(counted)
    }
}
#endif
