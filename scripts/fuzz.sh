#!/usr/bin/env bash
# make fuzz: coverage-guided fuzzing of the event decoder (CaseEvent.decode) with libFuzzer, for a
# bounded time. Not run in CI. Builds with swiftc directly: the decoder's own sources and
# Sources/MimamoriFuzz as one module, instrumented (-sanitize=fuzzer,address); the rest of the
# package (Crypto, Mustache, …) is left out, so nothing else is rebuilt with fuzzer flags.
#   FUZZ_SECONDS   how long to fuzz (default 120)
# Seeds: the fixtures' events and the hostile corpus (written by HostileInputTests when
# MIMAMORI_HOSTILE_CORPUS_OUT is set). A crash leaves its input in .run/fuzz/crashes/;
# replay it with `swift run MimamoriFuzz .run/fuzz/crashes/crash-…`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=/opt/swift/usr/bin:$PATH
seconds=${FUZZ_SECONDS:-120}
out=.run/fuzz
mkdir -p "$out/bin" "$out/corpus" "$out/seeds" "$out/crashes"

core=Sources/MimamoriCore
sources=(
    "$core/CaseEvent.swift" "$core/CaseEvent+Validation.swift" "$core/CaseEventError.swift" "$core/JSONValue.swift"
    "$core/Timestamp.swift" "$core/Vocabulary.swift" "$core/JapaneseCalendar.swift" "$core/LocalDate.swift"
    "$core/TimeOfDay.swift"
    Sources/MimamoriFuzz/DecodeEventTarget.swift
)
echo "fuzz: building $out/bin/decode-event (swiftc -sanitize=fuzzer,address)"
swiftc -O -g -parse-as-library -module-name MimamoriFuzz -D MIMAMORI_LIBFUZZER \
    -sanitize=fuzzer,address -use-ld=lld -swift-version 6 -warnings-as-errors \
    "${sources[@]}" -o "$out/bin/decode-event"

echo "fuzz: seeds from the fixtures and the hostile corpus"
cp Tests/MimamoriCoreTests/Fixtures/event-*.json "$out/seeds/"
if [ "${FUZZ_SKIP_CORPUS:-0}" != 1 ]; then
    swift build --build-tests >/dev/null
    MIMAMORI_HOSTILE_CORPUS_OUT="$PWD/$out/hostile" \
        swift test --skip-build --filter 'HostileInputTests/writesTheCorpus' >/dev/null
    # libFuzzer would cut longer inputs to -max_len anyway; the 4–10 MiB cases are the test suite's.
    find "$out/hostile" -name '*.body' -size -65537c | while read -r f; do
        cp "$f" "$out/seeds/hostile-$(echo "${f#"$out/hostile/"}" | tr / -)"
    done
fi
echo "fuzz: $(ls "$out/seeds" | wc -l) seeds; fuzzing for ${seconds}s"
status=0
"$out/bin/decode-event" "$out/corpus" "$out/seeds" \
    -max_len=65536 -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/" 2>&1 | tee "$out/last.log" || status=$?
if [ "$status" -ne 0 ] || ls "$out/crashes"/* >/dev/null 2>&1; then
    echo "fuzz: FAILED — inputs in $out/crashes/" >&2
    exit 1
fi
echo "fuzz: no crash in ${seconds}s"
