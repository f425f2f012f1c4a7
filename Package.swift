// swift-tools-version:6.0
import PackageDescription

/// Release builds are compiled for the CPU they are built on: without a target CPU,
/// Swift lowers `SIMD16<Float>` FMAs to scalar `fmaf` calls (≈0.7 GFLOP/s instead of ≈85).
let nativeCPU: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", "native"], .when(configuration: .release)),
]

let package = Package(
    name: "mpitrain",
    platforms: [.macOS(.v15)],    // Synchronization's Atomic (WorkerPool, the tests); built and tested on Linux
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
        // Kernels and their worker pool: threads only, no MPI.
        .target(name: "Parallel", swiftSettings: nativeCPU),
        // The network, data, optimizer and trainer; reaches other ranks through `Collectives`.
        .target(name: "NetCore", dependencies: ["Parallel", "CZlib"], swiftSettings: nativeCPU),
        // MPI: the Communicator (implements `Collectives`), agreement across ranks, MPI errors.
        .target(name: "Distributed", dependencies: ["CMPI", "NetCore"], swiftSettings: nativeCPU),
        // The lab report: metrics files in, Markdown, HTML and SVG figures out.
        .target(name: "LabReport", dependencies: ["NetCore"]),
        .executableTarget(
            name: "mpitrain",
            dependencies: [
                "NetCore", "Parallel", "Distributed", "LabReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: nativeCPU
        ),
        .testTarget(name: "ParallelTests", dependencies: ["Parallel"], swiftSettings: nativeCPU),
        .testTarget(name: "NetCoreTests", dependencies: ["NetCore", "Parallel"], swiftSettings: nativeCPU),
        .testTarget(name: "MPITrainTests", dependencies: ["LabReport", "NetCore", "Distributed"], swiftSettings: nativeCPU),
    ]
)
