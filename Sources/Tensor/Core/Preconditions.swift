// Weft's modules call these in place of the standard library's functions of the same
// names, which they shadow. Swift's own `precondition` and `preconditionFailure` drop
// their message in optimized builds (`-O`): a release program then stops with no word
// on what was wrong. Programmer errors in Weft must name the operation and the shapes in
// every build, so these stop through `fatalError`, which always prints its message.

/// Stops the program with `message` when `condition` is false, in every build
/// configuration.
@inline(__always)
package func precondition(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = String(),
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        fatalError(message(), file: file, line: line)
    }
}

/// Stops the program with `message`, in every build configuration.
package func preconditionFailure(
    _ message: @autoclosure () -> String = String(), file: StaticString = #fileID, line: UInt = #line
) -> Never {
    fatalError(message(), file: file, line: line)
}
