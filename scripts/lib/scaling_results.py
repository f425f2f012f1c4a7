"""Results of a scaling sweep: reading the trainer's metrics files, and writing scaling.csv and scaling.md.

A *configuration* is (mode, ranks, threads per rank, global batch). Each configuration is measured by
several runs; a run's seconds per epoch is the mean over its measured epochs (every epoch after the
first when there are more than one), and the configuration reports the median over its runs.
"""

import csv
import json
import statistics
from dataclasses import dataclass, field
from typing import Dict, List, Optional

# MARK: - Profile phases

#: The phases of one training step, as the trainer's `--profile` names them (docs/metrics-schema.md).
STEP_PHASES = ["data", "forward", "backward", "allreduce_wait", "allreduce", "update"]
#: Every profiled phase: the step's phases and the test-set evaluation after each epoch.
PHASES = STEP_PHASES + ["evaluation"]


class MetricsProblem(Exception):
    """A metrics file that is missing, empty or not the trainer's JSON lines."""


@dataclass
class RunMeasurement:
    """What one run of the trainer measured, averaged over its measured epochs."""

    seconds_per_epoch: float
    samples_per_second: float
    #: Mean over the ranks of each phase's seconds per epoch; empty when the run had no profile.
    phase_seconds: Dict[str, float]


def read_run(path: str) -> RunMeasurement:
    """Reads one run's metrics file (JSON lines, one object per epoch) and averages its measured epochs.

    With more than one epoch the first is a warm-up and left out.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            epochs = [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        raise MetricsProblem(f"the run wrote no metrics file {path}")
    except json.JSONDecodeError as error:
        raise MetricsProblem(f"{path} is not JSON lines: {error}")
    if not epochs:
        raise MetricsProblem(f"{path} is empty")
    epochs.sort(key=lambda line: line["epoch"])
    measured = epochs[1:] if len(epochs) > 1 else epochs
    seconds = statistics.fmean(line["seconds"] for line in measured)
    samples = statistics.fmean(line.get("samples_per_second") or 60_000 / line["seconds"] for line in measured)
    phases: Dict[str, float] = {}
    if all(isinstance(line.get("profile"), dict) for line in measured):
        for phase in PHASES:
            values = [line["profile"].get(phase, {}).get("mean") for line in measured]
            if all(isinstance(value, (int, float)) for value in values):
                phases[phase] = statistics.fmean(values)
    return RunMeasurement(seconds, samples, phases)


# MARK: - Configurations


@dataclass
class Configuration:
    """One point of the sweep and the runs that measured it."""

    mode: str  # "strong" (fixed global batch) or "weak" (fixed batch per rank)
    ranks: int
    threads: int
    global_batch: int
    cores: int  # cores of the node the sweep ran on
    runs: List[RunMeasurement] = field(default_factory=list)

    @property
    def workers(self) -> int:
        """Ranks × threads per rank: the cores the configuration asks for."""
        return self.ranks * self.threads

    @property
    def oversubscribed(self) -> bool:
        """More workers than the node has cores."""
        return self.workers > self.cores

    @property
    def batch_per_rank(self) -> float:
        return self.global_batch / self.ranks

    @property
    def seconds_per_epoch(self) -> float:
        return statistics.median(run.seconds_per_epoch for run in self.runs)

    @property
    def samples_per_second(self) -> float:
        return statistics.median(run.samples_per_second for run in self.runs)

    def phase_seconds(self, phase: str) -> Optional[float]:
        """Median over the runs of the phase's mean seconds per epoch; None without a profile."""
        values = [run.phase_seconds.get(phase) for run in self.runs]
        if not values or any(value is None for value in values):
            return None
        return statistics.median(values)

    @property
    def allreduce_share(self) -> Optional[float]:
        """Share of a training step spent in the allreduce and in waiting for it."""
        phases = [self.phase_seconds(phase) for phase in STEP_PHASES]
        if any(value is None for value in phases) or sum(phases) <= 0:
            return None
        return (self.phase_seconds("allreduce") + self.phase_seconds("allreduce_wait")) / sum(phases)


def baseline(configurations: List[Configuration], mode: str) -> Optional[Configuration]:
    """The np=1 × 1 thread configuration of `mode`, which speed-up and efficiency are measured against."""
    return next((c for c in configurations if c.mode == mode and c.ranks == 1 and c.threads == 1), None)


def speedup(configuration: Configuration, configurations: List[Configuration]) -> Optional[float]:
    """Throughput against the mode's np=1 × 1 thread (every epoch is the same 60,000 images)."""
    base = baseline(configurations, configuration.mode)
    return None if base is None else configuration.samples_per_second / base.samples_per_second


def efficiency(configuration: Configuration, configurations: List[Configuration]) -> Optional[float]:
    """Speed-up per worker: 1 is perfect scaling."""
    value = speedup(configuration, configurations)
    return None if value is None else value / configuration.workers


# MARK: - Writers

CSV_COLUMNS = [
    "mode", "ranks", "threads", "workers", "global_batch", "batch_per_rank", "seconds_per_epoch",
    "samples_per_second", "speedup", "efficiency", "allreduce_share",
] + [f"{phase}_seconds" for phase in PHASES] + ["oversubscribed", "runs", "run_seconds_per_epoch"]


def _number(value: Optional[float], digits: int = 6) -> str:
    return "" if value is None else f"{value:.{digits}g}"


def write_csv(path: str, configurations: List[Configuration]) -> None:
    """One row per configuration; empty cells where a value is not known (no baseline, no profile)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for c in configurations:
            writer.writerow(
                [c.mode, c.ranks, c.threads, c.workers, c.global_batch, _number(c.batch_per_rank),
                 _number(c.seconds_per_epoch), _number(c.samples_per_second),
                 _number(speedup(c, configurations)), _number(efficiency(c, configurations)),
                 _number(c.allreduce_share)]
                + [_number(c.phase_seconds(phase)) for phase in PHASES]
                + [str(c.oversubscribed).lower(), len(c.runs),
                   ";".join(_number(run.seconds_per_epoch) for run in c.runs)])


def _cell(value: Optional[float], format_spec: str, suffix: str = "") -> str:
    return "n/a" if value is None else format(value, format_spec) + suffix


def markdown_table(configurations: List[Configuration]) -> str:
    """The results as a Markdown table, one row per configuration."""
    lines = [
        "| mode | ranks | threads | global batch | s/epoch | samples/s | speed-up | efficiency | allreduce | note |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for c in configurations:
        share = c.allreduce_share
        note = f"oversubscribed ({c.workers} > {c.cores} cores)" if c.oversubscribed else ""
        lines.append(
            f"| {c.mode} | {c.ranks} | {c.threads} | {c.global_batch} | {c.seconds_per_epoch:.3f} "
            f"| {c.samples_per_second:,.0f} | {_cell(speedup(c, configurations), '.2f', '×')} "
            f"| {_cell(efficiency(c, configurations), '.0%')} "
            f"| {_cell(None if share is None else share * 100, '.1f', ' %')} | {note} |")
    return "\n".join(lines)


def write_markdown(path: str, configurations: List[Configuration], header: List[str]) -> None:
    """scaling.md: a few lines on how the numbers were taken, the table, and how to read it."""
    text = "\n".join(
        ["# Scaling benchmark", ""] + header + ["", markdown_table(configurations), "",
         "- **s/epoch** and **samples/s**: median over the repeats; each run's value is the mean over its "
         "measured epochs (the first epoch is a warm-up when a run has more than one).",
         "- **speed-up**: samples/s over samples/s of np=1 × 1 thread of the same mode; **efficiency**: "
         "speed-up ÷ (ranks × threads).",
         "- **allreduce**: (allreduce + waiting for the slowest rank) ÷ step time (data + forward + backward + "
         "wait + allreduce + update), means over the ranks from `--profile`; n/a without a profile.",
         "- **oversubscribed**: ranks × threads exceed the node's cores (`nproc`), so workers share cores.",
         ""])
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
