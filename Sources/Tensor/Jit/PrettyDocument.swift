/// A document for a width-aware pretty printer in the style of Wadler and Lindig
/// ("Strictly Pretty", 2000), the layout model that JAX uses to print jaxprs.
///
/// A `group` prints flat, with every `lineBreak` as its text, when the whole group fits
/// in the rest of the line. Otherwise its own breaks become newlines indented by the
/// enclosing `nest` amounts, and each inner group decides again. Only the group itself
/// is measured, not the text that follows it. Breaks outside every group are newlines.
indirect enum PrettyDocument: Sendable {
    case text(String)
    case lineBreak(String)
    case concatenation([PrettyDocument])
    case nest(Int, PrettyDocument)
    case group(PrettyDocument)

    static let empty = PrettyDocument.concatenation([])

    /// `documents` with `separator` between each pair.
    static func joined(_ documents: [PrettyDocument], separator: PrettyDocument) -> PrettyDocument {
        var parts = [PrettyDocument]()
        for (index, document) in documents.enumerated() {
            if index > 0 { parts.append(separator) }
            parts.append(document)
        }
        return .concatenation(parts)
    }

    static func + (lhs: PrettyDocument, rhs: PrettyDocument) -> PrettyDocument {
        .concatenation([lhs, rhs])
    }

    /// Lays out the document for a line width of `width` characters.
    func formatted(width: Int = 80) -> String {
        var output = ""
        var column = 0
        // Work items in reverse order: (indentation, flat mode, document).
        var agenda: [(indent: Int, isFlat: Bool, document: PrettyDocument)] = [(0, false, self)]
        while let (indent, isFlat, document) = agenda.popLast() {
            switch document {
            case .text(let text):
                output += text
                column += text.count
            case .lineBreak(let text):
                if isFlat {
                    output += text
                    column += text.count
                } else {
                    output += "\n" + String(repeating: " ", count: indent)
                    column = indent
                }
            case .concatenation(let children):
                for child in children.reversed() {
                    agenda.append((indent, isFlat, child))
                }
            case .nest(let amount, let child):
                agenda.append((indent + amount, isFlat, child))
            case .group(let child):
                let fits = isFlat || child.fitsFlat(in: width - column)
                agenda.append((indent, fits, child))
            }
        }
        return output
    }

    /// Returns whether the document printed flat takes at most `available` characters.
    private func fitsFlat(in available: Int) -> Bool {
        var remaining = available
        var pending = [self]
        while let document = pending.popLast() {
            if remaining < 0 { return false }
            switch document {
            case .text(let text), .lineBreak(let text):
                remaining -= text.count
            case .concatenation(let children):
                pending.append(contentsOf: children.reversed())
            case .nest(_, let child), .group(let child):
                pending.append(child)
            }
        }
        return remaining >= 0
    }
}
