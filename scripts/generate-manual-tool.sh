#!/usr/bin/env bash
# Builds swift-argument-parser's generate-manual tool (the one its GenerateManual plugin runs) from
# the resolved checkout and prints its path. The plugin itself would first rebuild every product
# with the default flags; the package's binaries are already built, so the tool runs on them.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
swift=${SWIFT:-swift}
checkout=.build/checkouts/swift-argument-parser
[ -f "$checkout/Package.swift" ] || "$swift" package resolve >&2
scratch=.build/generate-manual
"$swift" build --package-path "$checkout" --scratch-path "$scratch" --product generate-manual >&2
echo "$("$swift" build --package-path "$checkout" --scratch-path "$scratch" --show-bin-path)/generate-manual"
