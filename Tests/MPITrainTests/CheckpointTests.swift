import Foundation
import NetCore
import Testing

/// Checkpoints: a resumed run's later epochs are bit-identical to the uninterrupted run's;
/// Ctrl-C / SIGTERM stop at a step boundary with a checkpoint; the files are plain safetensors.
@Suite(.serialized)
struct CheckpointTests {
    /// Train and test loss and accuracy of each epoch ≥ `from`, as exact Doubles.
    private func epochs(_ url: URL, from: Int) throws -> [[Double]] {
        try readMetrics(url).filter { $0.epoch >= from }.map {
            [$0.trainLoss, $0.trainAccuracy, $0.testLoss, $0.testAccuracy]
        }
    }

    @Test(arguments: [1, 2], [["--model", "hidden", "--hidden", "16"],
                              ["--model", "multiclass", "--hidden", "32,16", "--activation", "relu,tanh"]])
    func resumedRunMatchesTheUninterruptedOne(ranks: Int, network: [String]) throws {
        let folder = try temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let full = folder.appendingPathComponent("full.jsonl"), resumed = folder.appendingPathComponent("resumed.jsonl")
        let settings = network + ["--momentum", "0.9", "--epochs", "3", "--seed", "7"]
        let first = try train(ranks: ranks, settings + ["--metrics", full.path, "--checkpoint", folder.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try train(ranks: ranks, settings + ["--metrics", resumed.path,
                                                         "--resume", folder.appendingPathComponent("epoch-1.safetensors").path])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resuming from"))
        let expected = try epochs(full, from: 2), actual = try epochs(resumed, from: 2)
        #expect(expected.count == 2)
        #expect(actual == expected)
    }

    /// Adam's moments and step count, dropout masks (hidden and input) and distortions all continue exactly, also
    /// when the checkpoint was written by another number of ranks.
    @Test(arguments: [(1, 1), (2, 1), (1, 2)])
    func resumedAdamRunWithDropoutAndAugmentationMatches(ranks: Int, resumeRanks: Int) throws {
        let folder = try temporaryFolder("resume-adam")
        defer { try? FileManager.default.removeItem(at: folder) }
        let full = folder.appendingPathComponent("full.jsonl"), resumed = folder.appendingPathComponent("resumed.jsonl")
        let settings = ["--model", "multiclass", "--hidden", "32,16", "--optimizer", "adamw", "--weight-decay", "0.05",
                        "--dropout", "0.3", "--input-dropout", "0.1", "--augment", "shift", "--lr-warmup", "1", "--lr-schedule", "cosine",
                        "--epochs", "3", "--seed", "7", "--batch-size", "96"]
        let first = try train(ranks: ranks, settings + ["--metrics", full.path, "--checkpoint", folder.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("adamw, weight decay 0.05, warm-up 1 epoch, dropout 0.3, input dropout 0.1, shift augmentation"), "\(first.stdout)")
        let second = try train(ranks: resumeRanks, settings + ["--metrics", resumed.path,
                                                               "--resume", folder.appendingPathComponent("epoch-1.safetensors").path])
        #expect(second.status == 0, "\(second.stderr)")
        let expected = try epochs(full, from: 2), actual = try epochs(resumed, from: 2)
        #expect(expected.count == 2)
        if ranks == resumeRanks {
            #expect(actual == expected)
        } else {
            // Another rank count sums the gradients in another order: the same run up to rounding.
            #expect(zip(actual, expected).allSatisfy { zip($0, $1).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) } },
                    "\(actual) vs \(expected)")
        }
    }

    @Test func resumingWithAnotherArchitectureIsRefusedWithOneLine() throws {
        let folder = try temporaryFolder("resume-architecture")
        defer { try? FileManager.default.removeItem(at: folder) }
        let deep = ["--model", "multiclass", "--hidden", "32,16", "--activation", "relu,tanh", "--seed", "7"]
        let first = try train(ranks: 1, deep + ["--epochs", "1", "--checkpoint", folder.path])
        #expect(first.status == 0, "\(first.stderr)")
        let checkpoint = folder.appendingPathComponent("epoch-1.safetensors").path
        for other in [["--hidden", "32"], ["--hidden", "32,16", "--activation", "relu"]] {
            let changed = deep.filter { !["--hidden", "32,16", "--activation", "relu,tanh"].contains($0) }
            let result = try train(ranks: 1, changed + other + ["--epochs", "2", "--resume", checkpoint])
            #expect(result.status == 1)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].contains("784→32→16→10 (relu,tanh)"), "\(result.stderr)")
        }
    }

    @Test func resumingIntoTheSameMetricsFileKeepsTheEarlierEpochs() throws {
        let folder = try temporaryFolder("resume-metrics")
        let metrics = folder.appendingPathComponent("run.jsonl")
        let settings = ["--model", "single", "--seed", "5", "--metrics", metrics.path]
        let first = try train(ranks: 1, settings + ["--epochs", "2", "--checkpoint", folder.path])
        #expect(first.status == 0, "\(first.stderr)")
        let firstEpoch = try readMetrics(metrics)[0]
        let second = try train(ranks: 1, settings + ["--epochs", "3",
                                                    "--resume", folder.appendingPathComponent("epoch-1.safetensors").path])
        #expect(second.status == 0, "\(second.stderr)")
        let lines = try readMetrics(metrics)
        #expect(lines.map(\.epoch) == [1, 2, 3], "the resumed run continues the file")
        #expect(lines.first == firstEpoch)
    }

    @Test(arguments: [1, 2])
    func interruptStopsAtAStepWithACheckpointThatResumesExactly(ranks: Int) throws {
        let folder = try temporaryFolder("interrupt")
        let settings = ["--model", "single", "--momentum", "0.5", "--seed", "3"]
        let job = try startTraining(ranks: ranks, settings + ["--epochs", "400", "--checkpoint", folder.path])
        let first = folder.appendingPathComponent("epoch-1.safetensors")
        #expect(job.waitFor(timeout: 60) { FileManager.default.fileExists(atPath: first.path) })
        kill(job.pid, ranks == 1 ? SIGINT : SIGTERM)
        let result = job.finish(timeout: 30)
        #expect(!result.timedOut)
        #expect(result.status == 130, "\(result.stderr)")
        let note = try #require(result.stderr.split(separator: "\n").first { $0.contains("interrupted") }.map(String.init),
                                "\(result.stderr)")
        let saved = try #require(note.firstMatch(of: /saved (\S+\.safetensors); to resume: (.+)$/), "\(note)")
        let path = String(saved.1), command = String(saved.2)
        #expect(command.hasSuffix("--resume \(path)"))
        #expect(ranks == 1 || command.hasPrefix("scripts/mpirun -np 2 "))
        #expect(mpitrainProcesses(marked: folder.path).isEmpty)
        let checkpoint = URL(fileURLWithPath: path)
        let name = checkpoint.lastPathComponent
        let position = try #require(name.firstMatch(of: /^epoch-(\d+)(-step-\d+)?\.safetensors$/), "\(name)")
        let epoch = Int(position.1)! + (position.2 == nil ? 1 : 0)  // the epoch to finish or start

        let full = folder.appendingPathComponent("full.jsonl"), resumed = folder.appendingPathComponent("resumed.jsonl")
        let uninterrupted = try train(ranks: ranks, settings + ["--epochs", String(epoch), "--metrics", full.path])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let continued = try train(ranks: ranks, settings + ["--epochs", String(epoch), "--metrics", resumed.path,
                                                            "--resume", checkpoint.path])
        #expect(continued.status == 0, "\(continued.stderr)")
        #expect(try epochs(resumed, from: epoch) == epochs(full, from: epoch))
    }

    @Test func checkpointIsReadableByAnIndependentSafetensorsReader() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { return }
        let folder = try temporaryFolder("python")
        let result = try mpitrain(["--model", "hidden", "--hidden", "16", "--momentum", "0.9", "--epochs", "1", "--checkpoint", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let script = """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            n = struct.unpack('<Q', data[:8])[0]
            header = json.loads(data[8:8 + n])
            meta = header.pop('__metadata__')
            body = data[8 + n:]
            for name, t in sorted(header.items()):
                begin, end = t['data_offsets']
                count = 1
                for d in t['shape']: count *= d
                assert t['dtype'] == 'F32' and end - begin == 4 * count, name
                values = struct.unpack('<%df' % count, body[begin:end])
                print(name, t['shape'], '%.6f' % sum(abs(v) for v in values))
            print('meta', meta['format'], meta['format_version'], meta['epoch'], json.loads(meta['model'])['hidden'])
            """
        let output = try run(URL(fileURLWithPath: python), ["-c", script, folder.appendingPathComponent("epoch-1.safetensors").path])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdoutLines
        #expect(lines.map { $0.split(separator: " ").first.map(String.init) ?? "" } ==
                ["dense1.bias", "dense1.weights", "dense2.bias", "dense2.weights",
                 "velocity.dense1.bias", "velocity.dense1.weights", "velocity.dense2.bias", "velocity.dense2.weights", "meta"])
        #expect(lines.contains { $0.hasPrefix("dense1.weights [784, 16] ") })
        #expect(lines.last == "meta mpitrain-checkpoint \(Checkpoint.formatVersion) 1 [16]")
    }

    /// A copy of `checkpoint` named `name`, with its safetensors file changed by `change`.
    private func altered(_ checkpoint: URL, _ name: String, _ change: (inout SafeTensors) -> Void) throws -> URL {
        var file = try SafeTensors(decoding: [UInt8](try Data(contentsOf: checkpoint)))
        change(&file)
        let url = checkpoint.deletingLastPathComponent().appendingPathComponent(name)
        try Data(file.encoded()).write(to: url)
        return url
    }

    @Test(arguments: [1, 2])
    func damagedOrInvalidCheckpointsAreRefusedWithOneLine(ranks: Int) throws {
        let folder = try temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try train(ranks: ranks, ["--model", "single", "--epochs", "2", "--checkpoint", folder.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let good = folder.appendingPathComponent("epoch-1.safetensors")
        var bytes = [UInt8](try Data(contentsOf: good))
        bytes[bytes.count - 100] ^= 0x40  // a bit of a weight
        let flipped = folder.appendingPathComponent("flipped.safetensors")
        try Data(bytes).write(to: flipped)
        let negative = try altered(good, "negative-epoch.safetensors") { $0.metadata["epoch"] = "-5" }
        let nan = try altered(good, "nan.safetensors") { file in
            file.metadata["data_crc32"] = nil  // as written before checkpoints had a CRC
            var weights = file.tensors["dense1.weights"]!.floats!
            weights[7] = .nan
            file.tensors["dense1.weights"] = SafeTensors.Tensor(weights, shape: file.tensors["dense1.weights"]!.shape)
        }
        let cases: [(URL, String)] = [
            (flipped, "is damaged: its tensor data has CRC-32 "),
            (negative, "has \"epoch\": \"-5\" in its metadata, expected 0–2"),
            (nan, "holds NaN or infinite values in \"dense1.weights\""),
        ]
        for (checkpoint, problem) in cases {
            let evaluated = try train(ranks: ranks, ["evaluate", "--checkpoint", checkpoint.path], timeout: 60)
            #expect(evaluated.status == 1, "\(checkpoint.lastPathComponent): \(evaluated.stderr)")
            let line = errorLines(evaluated)
            #expect(line.count == 1 && line[0].contains("checkpoint \(checkpoint.path) \(problem)"), "\(evaluated.stderr)")
            #expect(!evaluated.stderr.contains("--resume"), "evaluate offers a training remedy: \(evaluated.stderr)")
            let resumed = try train(ranks: ranks, ["--model", "single", "--epochs", "3", "--resume", checkpoint.path], timeout: 60)
            #expect(resumed.status == 1, "\(checkpoint.lastPathComponent): \(resumed.stderr)")
            #expect(errorLines(resumed).count == 1 && resumed.stderr.contains("\(problem)"), "\(resumed.stderr)")
            #expect(errorLines(resumed).first?.hasSuffix(", or start without --resume") == true, "\(resumed.stderr)")
        }
    }

    @Test(arguments: [1, 2])
    func evaluateReportsTheSavedModelsAccuracy(ranks: Int) throws {
        let folder = try temporaryFolder("evaluate")
        let trained = try train(ranks: ranks, ["--model", "single", "--epochs", "2", "--checkpoint", folder.path])
        #expect(trained.status == 0, "\(trained.stderr)")
        let final = try #require(trained.stdout.firstMatch(of: /test loss (\d\.\d{4}), test accuracy (\d+\.\d\d%)/))
        let checkpoint = folder.appendingPathComponent("epoch-2.safetensors").path
        let result = try train(ranks: ranks, ["evaluate", "--checkpoint", checkpoint])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines == ["\(checkpoint): single 784→1 (is it a 5?) after 2 epochs: test loss \(final.1), test accuracy \(final.2) (10000 images)"])
    }
}
