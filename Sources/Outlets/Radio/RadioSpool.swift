import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A folder a broadcast console watches. For each broadcast it receives `<id>.wav` (when a TTS
/// command is set), `<id>.xml` (CAP) and `<id>.txt` (the script), in that order: the `.txt`
/// appears last, so a console that triggers on it finds the others complete.
///
/// Every file is written to a hidden temporary name in the same folder (same file system),
/// flushed, then renamed: rename(2) is atomic, a watcher never sees a partial file.
public struct RadioSpool: Sendable, Hashable {
    public var directory: String
    /// argv with `{text}` (a UTF-8 file with the script) and `{wav}` (where to write audio),
    /// e.g. `["espeak-ng", "-v", "ja", "-w", "{wav}", "-f", "{text}"]` or open_jtalk's
    /// `["open_jtalk", "-x", DIC, "-m", VOICE, "-ow", "{wav}", "{text}"]`. Empty: no audio.
    public var ttsCommand: [String]
    public var ttsTimeout: Duration

    public init(directory: String, ttsCommand: [String] = [], ttsTimeout: Duration = .seconds(60)) {
        self.directory = directory
        self.ttsCommand = ttsCommand
        self.ttsTimeout = ttsTimeout
    }

    func validate() throws(OutletError) {
        let hint = "check radio.spool and radio.tts-command in mimamori.yaml"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.isWritableFile(atPath: directory)
        else { throw .configuration("radio spool folder is missing or not writable", hint: hint) }
        if let program = ttsCommand.first {
            guard Subprocess.locate(program) != nil else {
                throw .configuration("TTS program \(program) is not installed", hint: hint)
            }
            guard ttsCommand.contains(where: { $0.contains("{wav}") }) else {
                throw .configuration("radio.tts-command has no {wav} placeholder", hint: hint)
            }
        }
    }

    /// Removes the case's broadcast files (`<caseID>.*`: script, audio, CAP) once the case's
    /// personal data is purged; the console has long since read them. Returns how many files
    /// went, and how many could not be removed.
    public func removeFiles(ofCase caseID: String) -> (removed: Int, failed: Int) {
        // Case ids hold only letters, digits and `-`: `<id>.` never matches another case.
        let prefix = Self.baseName(caseID) + "."
        guard !caseID.isEmpty, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return (0, 0) }
        var removed = 0
        var failed = 0
        for name in names where name.hasPrefix(prefix) {
            if unlink((directory as NSString).appendingPathComponent(name)) == 0 { removed += 1 } else { failed += 1 }
        }
        return (removed, failed)
    }

    /// The case ids that have broadcast files in the spool (`<caseID>.…`): the retention's sweep
    /// asks the ledger which of them are purged, so a file that could not be removed at the
    /// purge goes at a later pass.
    public func caseIDsWithFiles() -> Set<String> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var ids = Set<String>()
        for name in names where !name.hasPrefix(".") {
            // Broadcast identifiers start with the case id, which holds no `.`.
            if let dot = name.firstIndex(of: "."), dot > name.startIndex { ids.insert(String(name[..<dot])) }
        }
        return ids
    }

    /// Removes the hidden temporary files (`.<id>.<uuid>.tmp.<ext>`) of a write that a crash or a
    /// kill interrupted and last changed before `cutoff` (a write in progress is never that old).
    /// They may hold a script with personal data. Returns how many went and how many could not.
    public func removeStaleTemporaries(modifiedBefore cutoff: Date) -> (removed: Int, failed: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return (0, 0) }
        var removed = 0
        var failed = 0
        for name in names where name.hasPrefix(".") && name.contains(".tmp.") {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                modified < cutoff
            else { continue }
            if unlink(path) == 0 { removed += 1 } else { failed += 1 }
        }
        return (removed, failed)
    }

    /// The file names for a broadcast: its identifier with anything but letters, digits, `.`,
    /// `-` and `_` replaced by `_` (identifiers may hold `/` or `:`).
    static func baseName(_ identifier: String) -> String {
        String(
            identifier.unicodeScalars.map { scalar -> Character in
                let ok = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
                return ok ? Character(scalar) : "_"
            }
        ).trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// Writes the files; does nothing if the `.txt` of this broadcast is already there (a retry
    /// after the CAP POST failed must not make the console announce twice).
    /// Returns the paths written (or already present).
    func write(identifier: String, script: String, cap: String) async throws(OutletError) -> [String] {
        let base = (directory as NSString).appendingPathComponent(Self.baseName(identifier))
        let text = base + ".txt"
        let xml = base + ".xml"
        let wav = base + ".wav"
        var paths = [text, xml]
        if !ttsCommand.isEmpty { paths.append(wav) }
        if FileManager.default.fileExists(atPath: text) { return paths }

        // CRLF-free UTF-8 with a final newline: what consoles and TTS engines expect.
        let scriptBytes = Data((script.hasSuffix("\n") ? script : script + "\n").utf8)
        if !ttsCommand.isEmpty {
            let textInput = try writeTemporary(scriptBytes, near: base, suffix: "txt")
            defer { unlink(textInput) }
            let wavTemp = temporaryName(near: base, suffix: "wav")
            defer { unlink(wavTemp) }
            let argv = ttsCommand.map {
                $0.replacingOccurrences(of: "{text}", with: textInput).replacingOccurrences(of: "{wav}", with: wavTemp)
            }
            let outcome = try await Subprocess.runDetached(argv, timeout: ttsTimeout, what: "tts")
            let head = FileManager.default.contents(atPath: wavTemp)?.prefix(4)
            guard outcome.status == 0, head == Data("RIFF".utf8) else {
                throw OutletError(
                    code: .subprocessFailed, isRetriable: true,
                    message: "TTS exited with \(outcome.status) and \(head == nil ? "no" : "an unusable") WAV",
                    operatorHint: "run radio.tts-command by hand on a script; check its voice and dictionary")
            }
            try publish(wavTemp, as: wav)
        }
        try publish(try writeTemporary(Data(cap.utf8), near: base, suffix: "xml"), as: xml)
        try publish(try writeTemporary(scriptBytes, near: base, suffix: "txt"), as: text)
        return paths
    }

    private func temporaryName(near base: String, suffix: String) -> String {
        let directory = (base as NSString).deletingLastPathComponent
        let name = (base as NSString).lastPathComponent
        return (directory as NSString).appendingPathComponent(".\(name).\(UUID().uuidString.prefix(8)).tmp.\(suffix)")
    }

    /// A hidden file in the spool folder with `data`, flushed to disk.
    private func writeTemporary(_ data: Data, near base: String, suffix: String) throws(OutletError) -> String {
        let path = temporaryName(near: base, suffix: suffix)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw spoolError("cannot create a file in the spool folder") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            unlink(path)
            throw spoolError("cannot write to the spool folder (disk full?)")
        }
        return path
    }

    private func publish(_ temporary: String, as final: String) throws(OutletError) {
        guard rename(temporary, final) == 0 else {
            unlink(temporary)
            throw spoolError("cannot rename into the spool folder")
        }
    }

    private func spoolError(_ message: String) -> OutletError {
        OutletError(
            code: .spoolFailed, isRetriable: true, message: message,
            operatorHint: "check radio.spool: folder permissions and free space")
    }
}
