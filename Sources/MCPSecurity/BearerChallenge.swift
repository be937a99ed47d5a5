/// Builds `WWW-Authenticate` values for 401 and 403 answers (RFC 6750 §3, RFC 9728 §5.1).
///
/// Values are quoted with `"` and `\` escaped; control characters are dropped so a value can
/// never break the header.
public enum BearerChallenge {
    /// The challenge for a 401: `Bearer resource_metadata="<url>"`, plus `error="invalid_token"`
    /// and `error_description` when a credential was presented and refused (`failure` other than
    /// `missing`).
    public static func unauthorized(resourceMetadataURL: String?, failure: AuthenticationFailure?, realm: String? = nil) -> String {
        var parameters: [(String, String)] = []
        if let realm { parameters.append(("realm", realm)) }
        if let resourceMetadataURL { parameters.append(("resource_metadata", resourceMetadataURL)) }
        if let failure, failure.tokenWasPresented {
            parameters.append(("error", "invalid_token"))
            parameters.append(("error_description", failure.description))
        }
        return render(parameters)
    }

    /// The challenge for a 403 on missing scopes: `error="insufficient_scope"`, `scope="a b"`.
    public static func insufficientScope(resourceMetadataURL: String?, requiredScopes: [String], description: String? = nil, realm: String? = nil) -> String {
        var parameters: [(String, String)] = []
        if let realm { parameters.append(("realm", realm)) }
        if let resourceMetadataURL { parameters.append(("resource_metadata", resourceMetadataURL)) }
        parameters.append(("error", "insufficient_scope"))
        parameters.append(("scope", requiredScopes.joined(separator: " ")))
        parameters.append(("error_description", description ?? "The request requires higher privileges than provided by the access token"))
        return render(parameters)
    }

    /// `"value"` with `"` and `\` escaped and control characters removed.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\":
                out.append("\\")
                out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                continue
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
        return out
    }

    private static func render(_ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return "Bearer" }
        return "Bearer " + parameters.map { "\($0.0)=\(quoted($0.1))" }.joined(separator: ", ")
    }
}
