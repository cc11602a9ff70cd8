import Foundation
import HostileCorpus
import TestFixtures

/// Looks for the bytes of `PhotoMetadataSamples` where a photo ends up: the ledger's rows (JSON
/// whose base64 strings are decoded too), a mail's attachments as Python's email package decodes
/// them, a FAX PDF.
enum PhotoLeakCheck {
    /// The markers found in `bytes`, and in every base64 string of it when it is JSON.
    static func leaks(in bytes: [UInt8]) -> [String] {
        var found = Set(markers(in: bytes))
        if let json = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
            for string in strings(in: json) where string.utf8.count >= 64 {
                if let decoded = Data(base64Encoded: string) { found.formUnion(markers(in: [UInt8](decoded))) }
            }
        }
        return found.sorted()
    }

    static func markers(in bytes: [UInt8]) -> [String] {
        PhotoMetadataSamples.markers.filter { PhotoMetadataSamples.contains(bytes, $0.bytes) }.map(\.label)
    }

    static func strings(in json: Any) -> [String] {
        switch json {
        case let string as String: [string]
        case let array as [Any]: array.flatMap(strings(in:))
        case let object as [String: Any]: object.values.flatMap(strings(in:))
        default: []
        }
    }

    /// A row of `sqlite3 … "SELECT hex(column) …"` as bytes.
    static func unhex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x41...0x46: v = c - 0x41 + 10
            case 0x61...0x66: v = c - 0x61 + 10
            default: continue
            }
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return bytes
    }

    /// Every attachment of a stored mail, decoded (Python's email package), by content type.
    static func attachments(of raw: Data) throws -> [(contentType: String, bytes: [UInt8])] {
        let folder = try ServerProcess.temporaryDirectory("attachments")
        defer { try? FileManager.default.removeItem(at: folder) }
        let eml = folder.appendingPathComponent("mail.eml")
        try raw.write(to: eml)
        let listing = try runTool(
            "/usr/bin/python3",
            [
                "-c",
                "import email,sys,os\nm=email.message_from_bytes(open(sys.argv[1],'rb').read())\n"
                    + "for i,p in enumerate(m.walk()):\n"
                    + "  if p.is_multipart() or p.get_content_maintype()=='text': continue\n"
                    + "  f=os.path.join(sys.argv[2],str(i)); open(f,'wb').write(p.get_payload(decode=True)); print(p.get_content_type()+' '+f)\n",
                eml.path, folder.path,
            ])
        return try listing.split(separator: "\n").map { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            return (parts[0], [UInt8](try Data(contentsOf: URL(fileURLWithPath: parts[1]))))
        }
    }
}
