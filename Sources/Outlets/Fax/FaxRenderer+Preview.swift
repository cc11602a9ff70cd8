import Foundation

extension FaxRenderer {
    /// PNG images of each page of `pdf` (for `mimamori render`), made by poppler's `pdftoppm`
    /// from the PDF itself, so the preview shows exactly what the fax gateway will get,
    /// embedded JPEG photo included. 200 dpi is fine-mode fax resolution.
    public static func previewPNG(pdf: Data, dpi: Int = 200, timeout: Duration = .seconds(30)) throws(OutletError) -> [Data] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mimamori-preview-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("notice.pdf")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try pdf.write(to: input)
        } catch {
            throw Subprocess.failure("preview", "cannot write a temporary file")
        }
        let outcome = try Subprocess.run(
            ["pdftoppm", "-r", "\(dpi)", "-png", input.path, directory.appendingPathComponent("page").path],
            timeout: timeout, what: "preview")
        let pages = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("page") && $0.hasSuffix(".png") }
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
        guard outcome.status == 0, !pages.isEmpty else {
            throw OutletError(
                code: .renderingFailed, isRetriable: false, message: "pdftoppm exited with \(outcome.status)",
                operatorHint: "install poppler-utils for previews")
        }
        return pages.compactMap { try? Data(contentsOf: directory.appendingPathComponent($0)) }
    }
}
