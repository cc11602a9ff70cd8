#if !MIMAMORI_LIBFUZZER
    import Foundation

    /// Without libFuzzer (a normal `swift build`): runs the fuzz target over the files given, e.g.
    /// a crash input libFuzzer saved: `swift run MimamoriFuzz crash-…`.
    @main
    enum Replay {
        static func main() throws {
            let paths = CommandLine.arguments.dropFirst()
            for path in paths {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                _ = bytes.withUnsafeBufferPointer { decodeEventTarget($0.baseAddress, $0.count) }
            }
            print("MimamoriFuzz: \(paths.count) input(s) passed the decode oracle")
        }
    }
#endif
