import Foundation

/// Problems go to stderr so that `mimamori check-config 2>problems.txt` separates them.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
