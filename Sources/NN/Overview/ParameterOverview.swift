// Text rendering of clu's parameter overview table.
//
// The output matches `clu.parameter_overview.get_parameter_overview` from
// clu 0.0.12 byte for byte, given the same names, shapes, dtypes and
// statistics, so logs from Weft and Flax training runs can be compared
// directly. The code that walks a parameter tree builds the rows.

/// One parameter's entry in the overview table.
public struct ParameterOverviewRow: Sendable, Equatable {
    /// Slash-separated path of the parameter in its tree, such as `Dense1/kernel`.
    public var name: String
    /// Array shape. An empty shape is a scalar.
    public var shape: [Int]
    /// NumPy name of the element type, such as `float32`.
    public var dtype: String
    /// Bytes per element, used for the byte total in the footer.
    public var itemSize: Int
    /// Mean of the values, shown when the table includes statistics.
    public var mean: Double?
    /// Population standard deviation of the values (NumPy's `std` with
    /// `ddof=0`), shown when the table includes statistics.
    public var std: Double?

    /// Number of elements, the product of `shape`, which is 1 for a scalar.
    public var size: Int {
        shape.reduce(1, *)
    }

    /// Creates a row.
    ///
    /// - Parameter itemSize: Bytes per element. When it is `nil`, the size of
    ///   a known NumPy dtype name is used, and an unknown name is a
    ///   precondition failure.
    public init(
        name: String,
        shape: [Int],
        dtype: String,
        itemSize: Int? = nil,
        mean: Double? = nil,
        std: Double? = nil
    ) {
        precondition(shape.allSatisfy { $0 >= 0 }, "shape \(shape) of '\(name)' has a negative dimension")
        guard let resolvedItemSize = itemSize ?? Self.itemSize(ofDType: dtype) else {
            preconditionFailure("unknown dtype '\(dtype)' for '\(name)': pass itemSize explicitly")
        }
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.itemSize = resolvedItemSize
        self.mean = mean
        self.std = std
    }

    /// Returns the bytes per element of a NumPy or ml_dtypes type name, or
    /// `nil` for a name not in the table.
    public static func itemSize(ofDType dtype: String) -> Int? {
        switch dtype {
        case "bool", "int8", "uint8", "int4", "uint4", "int2", "uint2",
            "float8_e4m3fn", "float8_e4m3fnuz", "float8_e4m3b11fnuz", "float8_e5m2",
            "float8_e5m2fnuz", "float8_e3m4", "float8_e4m3", "float8_e8m0fnu",
            "float4_e2m1fn":
            return 1
        case "int16", "uint16", "float16", "bfloat16":
            return 2
        case "int32", "uint32", "float32":
            return 4
        case "int64", "uint64", "float64", "complex64":
            return 8
        case "complex128":
            return 16
        default:
            return nil
        }
    }
}

/// Renders the parameter overview table that clu's `get_parameter_overview`
/// returns.
///
/// Rows are sorted by name in Unicode code point order, as Python sorts
/// strings, so the caller may pass them in any order. Every cell is
/// left-aligned and each column is as wide as its longest cell or header.
/// Sizes get thousands separators and statistics are written with Python's
/// `'{:.3}'` format. A row without a mean or std shows `None` in that cell,
/// as clu would print a Python `None`. The footer line is
/// `Total: <elements> -- <bytes> bytes`, summed over all rows, and the text
/// has no trailing newline.
///
/// An empty list of rows renders the header and separators with no body.
///
/// - Parameters:
///   - includeStats: Adds the `Mean` and `Std` columns, like clu's
///     `include_stats=True`.
///   - maxLines: Mirrors clu's `max_lines`. Once the table has
///     `maxLines - 3` lines, the remaining rows are replaced by one `[...]`
///     line, and the footer still counts every row. `nil` or 0 means no limit.
public func renderParameterOverview(
    rows: [ParameterOverviewRow],
    includeStats: Bool,
    maxLines: Int? = nil
) -> String {
    let sortedRows = rows.sorted { left, right in
        left.name.unicodeScalars.lexicographicallyPrecedes(right.name.unicodeScalars)
    }

    var columns = [
        OverviewColumn(name: "name", cells: sortedRows.map(\.name)),
        OverviewColumn(name: "shape", cells: sortedRows.map { pythonTupleText($0.shape) }),
        OverviewColumn(name: "dtype", cells: sortedRows.map(\.dtype)),
        OverviewColumn(name: "size", cells: sortedRows.map { formatWithThousands($0.size) }),
    ]
    if includeStats {
        columns.append(OverviewColumn(name: "mean", cells: sortedRows.map { statisticText($0.mean) }))
        columns.append(OverviewColumn(name: "std", cells: sortedRows.map { statisticText($0.std) }))
    }

    let separator = "+" + columns.map { String(repeating: "-", count: $0.width + 2) + "+" }.joined()
    let header = tableLine(columns.map(\.header), columns: columns)

    var lines = [separator, header, separator]
    for rowIndex in sortedRows.indices {
        if let maxLines, maxLines != 0, lines.count >= maxLines - 3 {
            lines.append("[...]")
            break
        }
        lines.append(tableLine(columns.map { $0.cells[rowIndex] }, columns: columns))
    }
    lines.append(separator)

    return lines.joined(separator: "\n") + "\n" + footerText(rows: rows)
}

/// A table column with its cells already formatted.
private struct OverviewColumn {
    let header: String
    let cells: [String]
    /// Widest cell or header in Unicode scalars, the unit of Python's `len`.
    let width: Int

    init(name: String, cells: [String]) {
        self.header = name.prefix(1).uppercased() + name.dropFirst()
        self.cells = cells
        self.width = (cells + [name]).map(\.unicodeScalars.count).max() ?? 0
    }
}

/// Joins `cells` into one `| a | b |` line, padding each cell with spaces.
private func tableLine(_ cells: [String], columns: [OverviewColumn]) -> String {
    var line = "|"
    for (cell, column) in zip(cells, columns) {
        let padding = String(repeating: " ", count: column.width - cell.unicodeScalars.count)
        line += " " + cell + padding + " |"
    }
    return line
}

/// Writes `shape` as Python prints a tuple of ints: `()`, `(128,)`, `(784, 128)`.
private func pythonTupleText(_ shape: [Int]) -> String {
    if shape.count == 1 {
        return "(\(shape[0]),)"
    }
    return "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

private func statisticText(_ value: Double?) -> String {
    guard let value else {
        return "None"
    }
    return formatPythonGeneral(value, precision: 3)
}

/// Writes the `Total: <elements> -- <bytes> bytes` line.
///
/// clu sums `np.prod(shape)` and `np.prod(shape) * itemsize` over the
/// parameters. NumPy returns the float 1.0 for an empty shape, so one scalar
/// parameter turns both sums into floats, and Python then prints them as
/// `1,514.0` instead of `1,514`.
private func footerText(rows: [ParameterOverviewRow]) -> String {
    let elementCount = rows.reduce(0) { $0 + $1.size }
    let byteCount = rows.reduce(0) { $0 + $1.size * $1.itemSize }

    let hasScalar = rows.contains { $0.shape.isEmpty }
    // NOTE: Python adds the float sums in tree order, so above 2^53 its
    // rounding may differ from this exact integer converted once.
    let elementText = hasScalar ? formatPythonFloatWithThousands(Double(elementCount)) : formatWithThousands(elementCount)
    let byteText = hasScalar ? formatPythonFloatWithThousands(Double(byteCount)) : formatWithThousands(byteCount)
    return "Total: \(elementText) -- \(byteText) bytes"
}
