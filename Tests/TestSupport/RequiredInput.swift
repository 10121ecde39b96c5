import Testing

/// Inputs a test needs but a developer's machine may lack: the shared corpus, the test servers.
public enum RequiredInput {
    /// Returns `present`; when the input is absent under `CI=true`, records `message` as a
    /// failure at the caller, so a CI run never passes with zero cases.
    @discardableResult
    public static func check(_ present: Bool, _ message: @autoclosure () -> String,
                             sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if !present && Repository.underCI {
            Issue.record(Comment(rawValue: message()), sourceLocation: sourceLocation)
        }
        return present
    }
}
