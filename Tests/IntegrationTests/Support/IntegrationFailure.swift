/// A wait or an I/O step that did not work out; the message says what was expected and what was seen.
struct IntegrationFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
