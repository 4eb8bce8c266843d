import Foundation

/// Finds, downloads when needed, reads and validates the four files of a dataset.
///
/// Each file is looked up in this order:
/// 1. `dataDirectory`, when set. A file missing there is an error, and nothing else is searched.
/// 2. `searchDirectories`, such as the folder of Debian's Fashion-MNIST package.
/// 3. `cacheDirectory`, by default `$XDG_CACHE_HOME/weft/<dataset>` or `~/.cache/weft/<dataset>`.
/// 4. A download from `mirrors` into `cacheDirectory`, when `allowsDownload` is true.
///
/// A folder may hold each file gzip-compressed (`train-images-idx3-ubyte.gz`) or raw
/// (`train-images-idx3-ubyte`). Only downloads are checked against SHA-256 digests. Files
/// found on disk are checked for structure: IDX headers, shapes, counts and label range.
public struct DatasetLoader: Sendable {
    public let name: DatasetName
    /// A folder given by the user, such as the `--data-dir` option of the mnist example.
    public var dataDirectory: String?
    public var searchDirectories: [String]
    public var cacheDirectory: String
    public var allowsDownload: Bool
    public var mirrors: [URL]
    public var files: DatasetFiles
    public var downloadMethod: DownloadMethod
    /// Receives one line per download step and per failed mirror. Writes to stderr by default.
    public var log: @Sendable (String) -> Void

    /// Creates a loader with the dataset's mirrors, files and folders. `environment`
    /// supplies `XDG_CACHE_HOME` and `HOME` for the cache folder.
    public init(
        _ name: DatasetName,
        dataDirectory: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.name = name
        self.dataDirectory = dataDirectory
        self.searchDirectories = name.systemDirectories
        self.cacheDirectory = Self.defaultCacheRoot(environment: environment) + "/" + name.directoryName
        self.allowsDownload = true
        self.mirrors = name.mirrors
        self.files = name.files
        self.downloadMethod = .platformDefault
        self.log = { message in
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    }

    /// Returns `$XDG_CACHE_HOME/weft`, or `$HOME/.cache/weft` when `XDG_CACHE_HOME` is unset,
    /// empty or relative (the XDG Base Directory specification requires ignoring relative paths).
    public static func defaultCacheRoot(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let cacheHome = environment["XDG_CACHE_HOME"], cacheHome.hasPrefix("/") {
            return cacheHome + "/weft"
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.path
        return home + "/.cache/weft"
    }

    /// Locates or downloads the four files, reads them and checks that images are
    /// `[N, 28, 28]`, labels are `[N]` with the same `N`, and every label is a valid class.
    public func load() throws(DatasetError) -> ImageDataset {
        let paths = try files.all.map { (file) throws(DatasetError) in try locate(file) }
        let train = try readSplit(imagesPath: paths[0], labelsPath: paths[1])
        let test = try readSplit(imagesPath: paths[2], labelsPath: paths[3])
        return ImageDataset(name: name, train: train, test: test, paths: paths)
    }

    /// Returns the path of `file` in the first folder that contains it, downloading it into
    /// `cacheDirectory` when no folder does.
    public func locate(_ file: DatasetFile) throws(DatasetError) -> String {
        if let dataDirectory {
            if let path = Self.existingPath(of: file, in: dataDirectory) {
                return path
            }
            throw DatasetError.fileNotFound(
                path: dataDirectory + "/" + file.fileName,
                remedy: Self.folderProblem(dataDirectory)
                    + "The data directory (the --data-dir option of the mnist example) must contain "
                    + "the four \(name) files \(fileList), compressed or not. "
                    + "Omit the data directory to use the cache at \(cacheDirectory), "
                    + "where missing files are downloaded.")
        }

        for directory in searchDirectories + [cacheDirectory] {
            if let path = Self.existingPath(of: file, in: directory) {
                return path
            }
        }

        guard allowsDownload else {
            let source = mirrors.first.map { $0.appendingPathComponent(file.fileName).absoluteString }
                ?? file.fileName
            throw DatasetError.fileNotFound(
                path: cacheDirectory + "/" + file.fileName,
                remedy: "Downloading is turned off. Download \(source) into \(cacheDirectory), "
                    + "or pass a data directory (the --data-dir option of the mnist example) that contains it.")
        }
        return try download(file)
    }

    /// Returns a sentence saying that `directory` does not exist or is not a folder,
    /// or an empty string when it is a folder.
    private static func folderProblem(_ directory: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            return "The folder \(directory) does not exist. "
        }
        return isDirectory.boolValue ? "" : "\(directory) is a file, not a folder. "
    }

    private var fileList: String {
        files.all.map(\.fileName).joined(separator: ", ")
    }

    /// Returns `directory/name.gz`, or else `directory/name` without `.gz`, if either exists.
    private static func existingPath(of file: DatasetFile, in directory: String) -> String? {
        let compressedPath = directory + "/" + file.fileName
        if FileManager.default.fileExists(atPath: compressedPath) {
            return compressedPath
        }
        if file.fileName.hasSuffix(".gz") {
            let rawPath = String(compressedPath.dropLast(3))
            if FileManager.default.fileExists(atPath: rawPath) {
                return rawPath
            }
        }
        return nil
    }

    private func readSplit(imagesPath: String, labelsPath: String) throws(DatasetError) -> LabeledImages {
        let images = try IDXArray(contentsOfFile: imagesPath)
        let size = name.imageSize
        guard images.shape.count == 3, images.shape[1] == size.height, images.shape[2] == size.width else {
            throw DatasetError.unexpectedShape(
                path: imagesPath, expected: "[N, \(size.height), \(size.width)]", found: images.shape)
        }

        let labels = try IDXArray(contentsOfFile: labelsPath)
        guard labels.shape.count == 1 else {
            throw DatasetError.unexpectedShape(path: labelsPath, expected: "[N]", found: labels.shape)
        }
        guard images.shape[0] == labels.shape[0] else {
            throw DatasetError.countMismatch(
                imagesPath: imagesPath, imageCount: images.shape[0],
                labelsPath: labelsPath, labelCount: labels.shape[0])
        }

        let classCount = name.classCount
        if let index = labels.bytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.labelOutOfRange(
                path: labelsPath, index: index, value: labels.bytes[index], classCount: classCount)
        }
        return LabeledImages(images: images, labels: labels)
    }
}
