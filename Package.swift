// swift-tools-version: 6.2
import PackageDescription

// Our own targets treat every warning as an error; dependencies are left alone.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

// The two programs we ship export no symbols: nothing loads into them and looks one up, and a
// dynamic table holding every public symbol of every package module (46,000, with NIO,
// postgres-nio and BoringSSL) cost the daemon 2.3 MiB of resident memory and each command a few
// milliseconds of start-up, the loader searching it for every library symbol it binds.
let unexported: [LinkerSetting] = [.unsafeFlags(["-Xlinker", "--no-export-dynamic"])]

/// `pkg-config --cflags pangocairo` on Debian 12 (libpango1.0-dev, libcairo2-dev), less -pthread.
let pangoCairoIncludes = [
    "/usr/include/pango-1.0", "/usr/include/glib-2.0", "/usr/lib/x86_64-linux-gnu/glib-2.0/include",
    "/usr/lib/aarch64-linux-gnu/glib-2.0/include", "/usr/include/harfbuzz", "/usr/include/freetype2",
    "/usr/include/libpng16", "/usr/include/libmount", "/usr/include/blkid", "/usr/include/fribidi",
    "/usr/include/cairo", "/usr/include/pixman-1",
]

let package = Package(
    name: "mimamori",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "mimamorid", targets: ["mimamorid"]),
        .executable(name: "mimamori", targets: ["mimamori"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/swhitty/FlyingFox.git", from: "0.27.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.1.0"),
    ],
    targets: [
        // C libraries from Debian (librabbitmq-dev, libcurl4-openssl-dev, libpango1.0-dev, libturbojpeg0-dev,
        // libqrencode-dev).
        .systemLibrary(
            name: "CRabbitMQ", pkgConfig: "librabbitmq",
            providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // Lossless JPEG rotation for the intake's photo step (libturbojpeg0-dev).
        .systemLibrary(
            name: "CTurboJPEG", pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]),
        // The QR code of the FAX's confirmation link (libqrencode-dev).
        .systemLibrary(
            name: "CQRencode", pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]),
        // pangocairo's pkg-config flags carry -pthread, which SwiftPM refuses with a warning on
        // every build; the include folders are given to the one target that imports it instead.
        .systemLibrary(name: "CPangoCairo"),
        // Swift cannot call C variadic functions (amqp_login, curl_easy_setopt): tiny shims.
        .target(name: "CRabbitMQShim", dependencies: ["CRabbitMQ"]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        // pthread_setname_np, a GNU extension Swift's Glibc module leaves out.
        .target(name: "CThreadName"),
        // malloc_trim, which Swift's Glibc module leaves out (malloc.h).
        .target(name: "CHeap"),

        // Backoff schedules and duration conversions, shared by every target (no dependencies).
        .target(name: "Timing", swiftSettings: strict),
        // Threads the operating system knows by name (top -H, gdb, core dumps).
        .target(name: "NamedThreads", dependencies: ["CThreadName"], swiftSettings: strict),
        .target(
            name: "AMQP",
            dependencies: [
                "CRabbitMQ", "CRabbitMQShim", "NamedThreads", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Mimamori's names on the broker (exchanges, queues, dead-letter headers): the contract
        // with the publisher and deploy/rabbitmq, kept out of the AMQP client itself.
        .target(
            name: "MimamoriBroker",
            dependencies: ["AMQP"],
            swiftSettings: strict),
        .target(
            name: "MimamoriCore",
            dependencies: [
                "Timing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict),
        // SQLite through GRDB, and the same roles on PostgreSQL through postgres-nio
        // (Sources/Ledger/Postgres: one ledger for an active and a standby daemon).
        .target(
            name: "Ledger",
            dependencies: [
                "MimamoriCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "Outlets",
            dependencies: [
                "CCurl", "CCurlShim", "CPangoCairo", "CQRencode", "NamedThreads", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict + [.unsafeFlags(pangoCairoIncludes.flatMap { ["-Xcc", "-I\($0)"] })]),
        // The service core: intake, dispatcher, retention, status and alarms, with the channels'
        // adapters. Every rule it applies is asked of MimamoriCore; the ledger is behind roles.
        .target(
            name: "MimamoriService",
            dependencies: [
                "AMQP", "MimamoriBroker", "MimamoriCore", "Ledger", "Outlets", "CTurboJPEG", "NamedThreads", "Timing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: strict),
        // The daemon's shell: settings files and reload, systemd, logfmt, the metrics and health
        // endpoint, and the wiring of the services into one ServiceGroup.
        .target(
            name: "MimamoriDaemon",
            dependencies: [
                "MimamoriService", "AMQP", "MimamoriBroker", "MimamoriCore", "Ledger", "Outlets", "Timing", "CHeap",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "mimamorid",
            dependencies: ["MimamoriDaemon"],
            swiftSettings: strict,
            linkerSettings: unexported),
        .executableTarget(
            name: "mimamori",
            dependencies: [
                "MimamoriDaemon", "MimamoriService", "AMQP", "MimamoriBroker", "Ledger", "MimamoriCore", "Outlets", "Timing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict,
            linkerSettings: unexported),
        // The libFuzzer target of the event decoder: scripts/fuzz.sh (make fuzz) builds it with
        // -sanitize=fuzzer; here it is a plain program that replays saved inputs.
        .executableTarget(
            name: "MimamoriFuzz",
            dependencies: ["MimamoriCore"],
            swiftSettings: strict),

        // Fixtures that start and reach the real servers the tests use (RabbitMQ, SMTP, HTTP).
        .target(
            name: "TestFixtures",
            dependencies: ["AMQP"],
            path: "Tests/TestFixtures",
            swiftSettings: strict),
        // The hostile-input corpus, shared by the core's model of the intake and the
        // suites that run it through the real intake and the real daemon.
        .target(
            name: "HostileCorpus",
            dependencies: ["MimamoriCore", .product(name: "Crypto", package: "swift-crypto")],
            path: "Tests/HostileCorpus",
            swiftSettings: strict),
        .testTarget(name: "TimingTests", dependencies: ["Timing"], swiftSettings: strict),
        .testTarget(
            name: "AMQPTests", dependencies: ["AMQP", "MimamoriBroker", "TestFixtures", "Timing"], swiftSettings: strict),
        .testTarget(
            name: "MimamoriCoreTests",
            dependencies: [
                "MimamoriCore", "HostileCorpus",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            // Read through #filePath, not bundled.
            exclude: ["Fixtures", "Golden"],
            swiftSettings: strict),
        .testTarget(
            name: "LedgerTests", dependencies: ["Ledger", "TestFixtures"], swiftSettings: strict),
        .testTarget(
            name: "OutletsTests", dependencies: ["Outlets", "NamedThreads", "TestFixtures", "Timing"], swiftSettings: strict),
        .testTarget(
            name: "MimamoriTests",
            dependencies: [
                "MimamoriDaemon", "MimamoriService", "MimamoriBroker", "NamedThreads", "TestFixtures", "HostileCorpus", "Timing",
                // A second, independent SQLite connection on the ledger file (a reader holding a snapshot).
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
    ]
)
