import Testing
@testable import MCPProxy

/// How a name lookup in the merged catalog decides between found, load first, and unknown.
@Suite struct CatalogLookupTests {
    private func outcome(_ lookup: CatalogLookup<Int>) -> String {
        switch lookup {
        case .found(let value): return "found \(value)"
        case .loading: return "loading"
        case .missing: return "missing"
        }
    }

    @Test func aHitIsFoundWithoutAskingWhetherListsAreLoaded() {
        var asked = false
        let result = CatalogLookup.resolve(lookup: { 7 }, loaded: { asked = true; return false }, retried: false)
        #expect(outcome(result) == "found 7")
        #expect(!asked)
    }

    @Test(arguments: [false, true])
    func aMissWithEveryListLoadedIsUnknown(retried: Bool) {
        let result = CatalogLookup<Int>.resolve(lookup: { nil }, loaded: { true }, retried: retried)
        #expect(outcome(result) == "missing")
    }

    @Test func aMissWithListsMissingLoadsThem() {
        let result = CatalogLookup<Int>.resolve(lookup: { nil }, loaded: { false }, retried: false)
        #expect(outcome(result) == "loading")
    }

    @Test func aMissAfterTheLoadWithListsStillMissingIsUnknown() {
        let result = CatalogLookup<Int>.resolve(lookup: { nil }, loaded: { false }, retried: true)
        #expect(outcome(result) == "missing")
    }

    /// The race seen under load: the lookup reads the parts before another session stores the
    /// last list, and the loaded check runs after that store. The name must still resolve.
    @Test func aListStoredBetweenTheMissAndTheCheckStillResolves() {
        var stored = false
        let result = CatalogLookup<Int>.resolve(
            lookup: { stored ? 3 : nil },
            loaded: { stored = true; return true },  // the store lands just before the check
            retried: false)
        #expect(outcome(result) == "found 3")
    }
}
