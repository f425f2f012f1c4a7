// swift-tools-version:6.0
import PackageDescription

/// The CPU the Swift code is compiled for: the one it is built on ("native"), or the level in
/// MPITRAIN_TARGET_CPU (`scripts/setup --portable` sets x86-64-v3: AVX2 and FMA, no AVX-512), for
/// a binary copied to other machines. Without a target CPU, Swift lowers `SIMD16<Float>` FMAs to
/// scalar `fmaf` calls (≈0.7 GFLOP/s instead of ≈85). Debug builds (the tests) get it too, so
/// they run the kernels' register blocks of the CPU the release binary runs (`RegisterFile`).
let targetCPU = Context.environment["MPITRAIN_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
/// Swift takes a CPU name (-target-cpu); an x86-64 level such as x86-64-v3 reaches it through clang's -march.
let nativeCPU: [SwiftSetting] = [
    .unsafeFlags(targetCPU.hasPrefix("x86-64-v") ? ["-Xcc", "-march=\(targetCPU)"] : ["-target-cpu", targetCPU]),
]

let package = Package(
    name: "mpitrain",
    platforms: [.macOS(.v15)],    // Synchronization's Atomic (Team, the tests); built and tested on Linux
    products: [
        .executable(name: "mpitrain", targets: ["mpitrain"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CMPI",
            pkgConfig: "ompi-c",
            providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // Users' images for `predict`: PNG (libpng) and PGM files as grey pixels, fitted to a model's input.
        .target(name: "ImageInput", dependencies: ["CPNG"]),
        // The CPU a release build was compiled for, checked before main against this CPU's flags.
        .target(name: "CPUCheck", cSettings: [
            .unsafeFlags(["-march=\(targetCPU)"], .when(configuration: .release)),
            .define("MPITRAIN_TARGET_CPU", to: "\"\(targetCPU)\"", .when(configuration: .release)),
        ]),
        // The vector registers of the CPU a module is compiled for, seen by its compiler (a header only).
        .target(name: "VectorRegisters"),
        // Prefetch hints for the caches (a header only).
        .target(name: "CacheHints"),
        // A sparse row against a column of a dense matrix with AVX-512 gathers (a header only).
        .target(name: "SparseVectors"),
        // Products with bfloat16 products and float sums on AMX tiles (`--precision bf16`), checked at run time.
        .target(name: "BFloat16Tiles"),
        // Kernels and the thread team they run on: threads only, no MPI.
        .target(name: "Parallel", dependencies: ["VectorRegisters", "CacheHints", "SparseVectors", "BFloat16Tiles"],
                swiftSettings: nativeCPU),
        // The network, data, optimizer and trainer; reaches other ranks through `Collectives`.
        .target(name: "NetCore", dependencies: ["Parallel", "CZlib"], swiftSettings: nativeCPU),
        // MPI: the Communicator (implements `Collectives`), agreement across ranks, MPI errors.
        .target(name: "Distributed", dependencies: ["CMPI", "NetCore"], swiftSettings: nativeCPU),
        // The lab report: metrics files in, Markdown, HTML and SVG figures out.
        .target(name: "LabReport", dependencies: ["NetCore", "CZlib"]),
        .executableTarget(
            name: "mpitrain",
            dependencies: [
                "NetCore", "Parallel", "Distributed", "LabReport", "ImageInput", "CPUCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: nativeCPU,
            plugins: ["GitCommit"]
        ),
        // Writes the git commit a build is made from into the build folder, for --version.
        .plugin(name: "GitCommit", capability: .buildTool()),
        // What only the tests call: the reference GEMM, whole-step and dense-batch forms of the network's calls.
        .target(name: "TestSupport", dependencies: ["Parallel", "NetCore"], path: "Tests/TestSupport"),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel", "TestSupport"], swiftSettings: nativeCPU),
        .testTarget(name: "NetCoreTests", dependencies: ["NetCore", "Parallel", "TestSupport"], swiftSettings: nativeCPU),
        .testTarget(name: "MPITrainTests", dependencies: ["LabReport", "NetCore", "Distributed", "ImageInput", "CPNG", "TestSupport"], swiftSettings: nativeCPU),
    ]
)
