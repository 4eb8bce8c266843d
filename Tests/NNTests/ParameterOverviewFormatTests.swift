import Testing

@testable import NN

// Expected strings come from CPython 3.11 and clu 0.0.12, printed by
// Tests/References/nn_optim_reference.py into nn_optim_reference.txt
// (sections a and e).

/// `format(value, '.3')` in CPython.
private let generalFormatCases: [(Double, String)] = [
    (0.0, "0.0"),
    (-0.0, "-0.0"),
    (0.0358, "0.0358"),
    (6.76e-05, "6.76e-05"),
    (-0.000219, "-0.000219"),
    (1.0, "1.0"),
    (123.0, "1.23e+02"),
    (1234.5, "1.23e+03"),
    (.nan, "nan"),
    (-Double.nan, "nan"),
    (.infinity, "inf"),
    (-.infinity, "-inf"),
    (0.99951, "1.0"),
    (9.995, "9.99"),
    (0.00099996, "0.001"),
    (0.5, "0.5"),
    (12.3, "12.3"),
    (12.0, "12.0"),
    (99.94, "99.9"),
    (99.95, "1e+02"),
    (100.0, "1e+02"),
    (999.4, "9.99e+02"),
    (999.5, "1e+03"),
    (0.0001, "0.0001"),
    (0.00001, "1e-05"),
    (1.5e-05, "1.5e-05"),
    (0.00012345, "0.000123"),
    (0.000123456, "0.000123"),
    (0.125, "0.125"),
    (1.125, "1.12"),
    (2.675, "2.67"),
    (0.1, "0.1"),
    (0.3333333333333333, "0.333"),
    (0.6666666666666666, "0.667"),
    (-1.5, "-1.5"),
    (-0.99951, "-1.0"),
    (9.9949, "9.99"),
    (0.00995, "0.00995"),
    (0.0009995, "0.000999"),
    (0.000999, "0.000999"),
    (1e16, "1e+16"),
    (1e22, "1e+22"),
    (12345678.9, "1.23e+07"),
    (1.7976931348623157e308, "1.8e+308"),
    (Double.leastNonzeroMagnitude, "4.94e-324"),
    (2.2250738585072014e-308, "2.23e-308"),
    (1e-100, "1e-100"),
    (-1e100, "-1e+100"),
    (0.035826846957206726, "0.0358"),
    (6.76304116495885e-05, "6.76e-05"),
    (-0.00021853725775144994, "-0.000219"),
    (0.08892402052879333, "0.0889"),
    (-0.0006777368253096938, "-0.000678"),
    (0.08682796359062195, "0.0868"),
    (-1.1368683772161603e-16, "-1.14e-16"),
    (1.707825127659933, "1.71"),
    (0.5777352977547214, "0.578"),
]

/// `format(value, '.<precision>')` in CPython for precisions other than 3.
private let otherPrecisionCases: [(Double, Int, String)] = [
    (0.0, 0, "0e+00"),
    (0.5, 0, "0.5"),
    (1234.5, 0, "1e+03"),
    (15.0, 1, "2e+01"),
    (1.0, 1, "1e+00"),
    (0.95, 1, "0.9"),
    (0.96, 1, "1e+00"),
    (9.5, 1, "1e+01"),
    (12.0, 2, "1.2e+01"),
    (99.5, 2, "1e+02"),
    (1.0, 5, "1.0"),
    (123.456, 5, "123.46"),
    (1234.5, 5, "1234.5"),
    (12345.5, 5, "1.2346e+04"),
    (3.14159265358979, 10, "3.141592654"),
    (1e-05, 10, "1e-05"),
    (0.1, 17, "0.10000000000000001"),
    (0.1, 20, "0.10000000000000000555"),
]

/// `format(n, ',')` in CPython.
private let thousandsCases: [(Int, String)] = [
    (0, "0"),
    (1, "1"),
    (12, "12"),
    (123, "123"),
    (999, "999"),
    (1000, "1,000"),
    (1234, "1,234"),
    (12345, "12,345"),
    (123456, "123,456"),
    (1234567, "1,234,567"),
    (100352, "100,352"),
    (118282, "118,282"),
    (473128, "473,128"),
    (-1, "-1"),
    (-999, "-999"),
    (-1000, "-1,000"),
    (-1234567, "-1,234,567"),
    (Int.max, "9,223,372,036,854,775,807"),
    (Int.min, "-9,223,372,036,854,775,808"),
]

/// `format(value, ',')` in CPython for floats.
private let floatThousandsCases: [(Double, String)] = [
    (0.0, "0.0"),
    (1.0, "1.0"),
    (1514.0, "1,514.0"),
    (12048.0, "12,048.0"),
    (999999.0, "999,999.0"),
    (1e15, "1,000,000,000,000,000.0"),
    (9007199254740992.0, "9,007,199,254,740,992.0"),
    (9999999999999998.0, "9,999,999,999,999,998.0"),
    (1e16, "1e+16"),
    (1.2345678901234568e17, "1.2345678901234568e+17"),
    (1e300, "1e+300"),
]

/// Rows of the Flax MNIST MLP initialized from `split(PRNGKey(42))[1]`, in
/// clu's sorted order, with the statistics clu computed.
private let mnistRows: [ParameterOverviewRow] = [
    ParameterOverviewRow(name: "Dense1/bias", shape: [128], dtype: "float32", mean: 0.0, std: 0.0),
    ParameterOverviewRow(
        name: "Dense1/kernel", shape: [784, 128], dtype: "float32",
        mean: 6.76304116495885e-05, std: 0.035826846957206726),
    ParameterOverviewRow(name: "Dense2/bias", shape: [128], dtype: "float32", mean: 0.0, std: 0.0),
    ParameterOverviewRow(
        name: "Dense2/kernel", shape: [128, 128], dtype: "float32",
        mean: -0.00021853725775144994, std: 0.08892402052879333),
    ParameterOverviewRow(name: "Output/bias", shape: [10], dtype: "float32", mean: 0.0, std: 0.0),
    ParameterOverviewRow(
        name: "Output/kernel", shape: [128, 10], dtype: "float32",
        mean: -0.0006777368253096938, std: 0.08682796359062195),
]

private let mnistOverviewWithStats = """
    +---------------+------------+---------+---------+-----------+--------+
    | Name          | Shape      | Dtype   | Size    | Mean      | Std    |
    +---------------+------------+---------+---------+-----------+--------+
    | Dense1/bias   | (128,)     | float32 | 128     | 0.0       | 0.0    |
    | Dense1/kernel | (784, 128) | float32 | 100,352 | 6.76e-05  | 0.0358 |
    | Dense2/bias   | (128,)     | float32 | 128     | 0.0       | 0.0    |
    | Dense2/kernel | (128, 128) | float32 | 16,384  | -0.000219 | 0.0889 |
    | Output/bias   | (10,)      | float32 | 10      | 0.0       | 0.0    |
    | Output/kernel | (128, 10)  | float32 | 1,280   | -0.000678 | 0.0868 |
    +---------------+------------+---------+---------+-----------+--------+
    Total: 118,282 -- 473,128 bytes
    """

private let mnistOverviewWithoutStats = """
    +---------------+------------+---------+---------+
    | Name          | Shape      | Dtype   | Size    |
    +---------------+------------+---------+---------+
    | Dense1/bias   | (128,)     | float32 | 128     |
    | Dense1/kernel | (784, 128) | float32 | 100,352 |
    | Dense2/bias   | (128,)     | float32 | 128     |
    | Dense2/kernel | (128, 128) | float32 | 16,384  |
    | Output/bias   | (10,)      | float32 | 10      |
    | Output/kernel | (128, 10)  | float32 | 1,280   |
    +---------------+------------+---------+---------+
    Total: 118,282 -- 473,128 bytes
    """

private let emptyOverviewWithStats = """
    +------+-------+-------+------+------+-----+
    | Name | Shape | Dtype | Size | Mean | Std |
    +------+-------+-------+------+------+-----+
    +------+-------+-------+------+------+-----+
    Total: 0 -- 0 bytes
    """

private let emptyOverviewWithoutStats = """
    +------+-------+-------+------+
    | Name | Shape | Dtype | Size |
    +------+-------+-------+------+
    +------+-------+-------+------+
    Total: 0 -- 0 bytes
    """

/// Rows of the reference script's `mixed` tree in flattening order, not
/// sorted, with the statistics clu computed.
private let mixedRows: [ParameterOverviewRow] = [
    ParameterOverviewRow(name: "b/z", shape: [], dtype: "float32", mean: 2.5, std: 0.0),
    ParameterOverviewRow(name: "b/a10", shape: [3], dtype: "float32", mean: 1.0, std: 0.0),
    ParameterOverviewRow(name: "a/x_y", shape: [2, 3], dtype: "int32", mean: 2.5, std: 1.707825127659933),
    ParameterOverviewRow(name: "a/X", shape: [2, 2], dtype: "float16", mean: -0.5, std: 0.0),
    ParameterOverviewRow(
        name: "a1", shape: [1500, 1], dtype: "float64",
        mean: -1.1368683772161603e-16, std: 0.5777352977547214),
]

private let mixedOverview = """
    +-------+-----------+---------+-------+-----------+-------+
    | Name  | Shape     | Dtype   | Size  | Mean      | Std   |
    +-------+-----------+---------+-------+-----------+-------+
    | a/X   | (2, 2)    | float16 | 4     | -0.5      | 0.0   |
    | a/x_y | (2, 3)    | int32   | 6     | 2.5       | 1.71  |
    | a1    | (1500, 1) | float64 | 1,500 | -1.14e-16 | 0.578 |
    | b/a10 | (3,)      | float32 | 3     | 1.0       | 0.0   |
    | b/z   | ()        | float32 | 1     | 2.5       | 0.0   |
    +-------+-----------+---------+-------+-----------+-------+
    Total: 1,514.0 -- 12,048.0 bytes
    """

private let mixedOverviewMaxLines6 = """
    +-------+-----------+---------+-------+-----------+-------+
    | Name  | Shape     | Dtype   | Size  | Mean      | Std   |
    +-------+-----------+---------+-------+-----------+-------+
    [...]
    +-------+-----------+---------+-------+-----------+-------+
    Total: 1,514.0 -- 12,048.0 bytes
    """

@Suite struct ParameterOverviewFormatTests {
    @Test(arguments: generalFormatCases)
    func generalFormatPrecision3(value: Double, expected: String) {
        #expect(formatPythonGeneral(value, precision: 3) == expected)
    }

    @Test(arguments: otherPrecisionCases)
    func generalFormatOtherPrecisions(value: Double, precision: Int, expected: String) {
        #expect(formatPythonGeneral(value, precision: precision) == expected)
    }

    @Test(arguments: thousandsCases)
    func thousandsSeparators(value: Int, expected: String) {
        #expect(formatWithThousands(value) == expected)
    }

    @Test(arguments: floatThousandsCases)
    func floatThousandsSeparators(value: Double, expected: String) {
        #expect(formatPythonFloatWithThousands(value) == expected)
    }

    @Test func rowSizeAndItemSize() {
        let kernel = ParameterOverviewRow(name: "Dense1/kernel", shape: [784, 128], dtype: "float32")
        #expect(kernel.size == 100_352)
        #expect(kernel.itemSize == 4)

        let scalar = ParameterOverviewRow(name: "step", shape: [], dtype: "int64")
        #expect(scalar.size == 1)
        #expect(scalar.itemSize == 8)

        let empty = ParameterOverviewRow(name: "unused", shape: [0, 3], dtype: "bfloat16")
        #expect(empty.size == 0)
        #expect(empty.itemSize == 2)

        let custom = ParameterOverviewRow(name: "packed", shape: [2], dtype: "custom", itemSize: 3)
        #expect(custom.itemSize == 3)
        #expect(ParameterOverviewRow.itemSize(ofDType: "custom") == nil)
    }

    @Test func mnistTableWithStats() {
        #expect(renderParameterOverview(rows: mnistRows, includeStats: true) == mnistOverviewWithStats)
    }

    @Test func mnistTableWithoutStats() {
        #expect(renderParameterOverview(rows: mnistRows, includeStats: false) == mnistOverviewWithoutStats)
    }

    @Test func rowsAreSortedByName() {
        let reversed = Array(mnistRows.reversed())
        #expect(renderParameterOverview(rows: reversed, includeStats: true) == mnistOverviewWithStats)
    }

    @Test func emptyTable() {
        #expect(renderParameterOverview(rows: [], includeStats: true) == emptyOverviewWithStats)
        #expect(renderParameterOverview(rows: [], includeStats: false) == emptyOverviewWithoutStats)
    }

    @Test func mixedTableWithScalar() {
        #expect(renderParameterOverview(rows: mixedRows, includeStats: true) == mixedOverview)
    }

    @Test func maxLinesTruncation() {
        let truncated = renderParameterOverview(rows: mixedRows, includeStats: true, maxLines: 6)
        #expect(truncated == mixedOverviewMaxLines6)

        // clu treats max_lines=0 like None, so nothing is cut.
        #expect(renderParameterOverview(rows: mixedRows, includeStats: true, maxLines: 0) == mixedOverview)
        #expect(renderParameterOverview(rows: mixedRows, includeStats: true, maxLines: 100) == mixedOverview)
    }

    @Test func maxLinesKeepsFirstRows() {
        // With max_lines=8 the table already has 5 lines before the third
        // row, so clu prints two rows and then "[...]".
        let lines = renderParameterOverview(rows: mnistRows, includeStats: false, maxLines: 8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 8)
        #expect(lines[3] == "| Dense1/bias   | (128,)     | float32 | 128     |")
        #expect(lines[4] == "| Dense1/kernel | (784, 128) | float32 | 100,352 |")
        #expect(lines[5] == "[...]")
        #expect(lines[7] == "Total: 118,282 -- 473,128 bytes")
    }

    @Test func missingStatisticPrintsNone() {
        let rows = [ParameterOverviewRow(name: "w", shape: [2], dtype: "float32", mean: 0.25)]
        let lines = renderParameterOverview(rows: rows, includeStats: true)
            .split(separator: "\n")
        #expect(lines[1] == "| Name | Shape | Dtype   | Size | Mean | Std  |")
        #expect(lines[3] == "| w    | (2,)  | float32 | 2    | 0.25 | None |")
    }

    @Test func widthCountsUnicodeScalars() {
        // Python's len() counts code points, so "é" written as e + U+0301
        // is two columns wide.
        let rows = [ParameterOverviewRow(name: "e\u{301}", shape: [1], dtype: "float32")]
        let lines = renderParameterOverview(rows: rows, includeStats: false)
            .split(separator: "\n")
        #expect(lines[0] == "+------+-------+---------+------+")
        #expect(lines[2] == "+------+-------+---------+------+")
        #expect(lines[3] == "| e\u{301}   | (1,)  | float32 | 1    |")
    }
}
