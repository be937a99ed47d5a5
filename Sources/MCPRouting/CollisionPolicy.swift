/// What happens when two items would be exposed under the same name.
public enum CollisionPolicy: String, Sendable, Codable {
    /// The item seen first (earlier upstream in config order, then earlier in its list) keeps the
    /// name; the later item is hidden.
    case firstWins = "first-wins"
    /// The later item is exposed as the name plus `_2`, `_3`, ... (still sanitised and within the
    /// length limit).
    case suffix
}
