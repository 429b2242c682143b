"""Engine speed: µs per training iteration, engine fast path and trace vs PyTorch eager.

Run from the repository root::

    .venv/bin/python benchmarks/engine_speed.py           # full run (~30 s)
    .venv/bin/python benchmarks/engine_speed.py --quick   # short run (~6 s)

One iteration is forward, loss, backward and SGD update. For every benchmark
network it times

* the Trainer fast path: ``Trainer(net).run(n)``;
* ``trace_iteration`` chained, each iteration starting from the previous
  ``network_after`` (what the GUI does when stepping);
* PyTorch eager on the CPU doing the same iteration: float64, the same
  activations, the loss computed from the output activations by the plain
  formula with the same reductions (``-(t * log(softmax)).sum(...)`` for cross
  entropy, not ``F.cross_entropy`` on logits), ``torch.optim.SGD``,
  ``zero_grad`` every iteration, the same mini-batch rows, and ``loss.item()``
  every iteration since the Trainer records every loss as a float too.

Each measurement is warmed up, then repeated; the table shows the median µs per
iteration (``--stat best`` for best-of; the garbage collector is off while
timing, as in ``timeit``). Before timing, the script checks that torch, the
Trainer and trace_iteration agree on the losses and parameters of the first
iterations, so the comparison is between equal work. PyTorch is optional:
without it only the engine columns are printed. See benchmarks/README.md.

Exit status: 0 when every target passes (or is skipped), 1 when one fails.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.fileformat import load_network  # noqa: E402
from engine.losses import LossSpec  # noqa: E402
from engine.network import Layer, Network, OptimizerSpec, batch_rows  # noqa: E402
from engine.trace import trace_iteration  # noqa: E402
from engine.training import Trainer  # noqa: E402
from resources import preset_path  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional: engine columns only
    torch = None  # type: ignore[assignment]

Runner = Callable[[int], None]  # runs n iterations


@dataclass
class Impl:
    """One implementation on one network: run n iterations, then read its state."""

    run: Runner
    losses: Callable[[], list[float]]  # loss of every iteration run so far
    parameters: Callable[[], list[np.ndarray]]  # weights then biases, now


VERIFY_ITERATIONS = 5


# -- benchmark networks ---------------------------------------------------------------


def _uniform_init(rng: np.random.Generator, sizes: list[int]) -> tuple[list[Any], list[Any]]:
    """PyTorch Linear's default range, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), seeded."""
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, size=(fan_out, fan_in)))
        biases.append(rng.uniform(-bound, bound, size=fan_out))
    return weights, biases


def _layers(sizes: list[int], activations: list[str]) -> list[Layer]:
    return [Layer(sizes[0], None)] + [
        Layer(s, a) for s, a in zip(sizes[1:], activations, strict=True)
    ]


def network_2_2_2() -> Network:
    return load_network(preset_path("step-by-step-2-2-2.json"))


def network_xor() -> Network:
    rng = np.random.default_rng(1)
    sizes = [2, 4, 1]
    return Network.create(
        name="XOR 2-4-1",
        layers=_layers(sizes, ["sigmoid", "sigmoid"]),
        weights=[rng.normal(0.0, 1.0, (4, 2)), rng.normal(0.0, 1.0, (1, 4))],
        biases=[rng.normal(0.0, 1.0, 4), rng.normal(0.0, 1.0, 1)],
        loss=LossSpec("squared_error", scale=0.5, outputs="sum", batch="mean"),
        optimizer=OptimizerSpec(learning_rate=0.5, batch_size=None),
        inputs=[[0, 0], [0, 1], [1, 0], [1, 1]],
        targets=[[0], [1], [1], [0]],
    )


def network_deep() -> Network:
    rng = np.random.default_rng(2)
    sizes = [2, 8, 8, 8, 1]
    rows = 48
    weights, biases = _uniform_init(rng, sizes)
    inputs = rng.uniform(-1.0, 1.0, (rows, 2))
    targets = (inputs[:, :1] * inputs[:, 1:] > 0).astype(np.float64)  # quadrant XOR
    return Network.create(
        name="2-8-8-8-1 tanh",
        layers=_layers(sizes, ["tanh", "tanh", "tanh", "sigmoid"]),
        weights=weights,
        biases=biases,
        loss=LossSpec("squared_error", scale=0.5, outputs="sum", batch="mean"),
        optimizer=OptimizerSpec(learning_rate=0.5, batch_size=None),
        inputs=inputs,
        targets=targets,
    )


def network_mnist_like() -> Network:
    rng = np.random.default_rng(3)
    sizes = [784, 128, 10]
    rows = 1024
    weights, biases = _uniform_init(rng, sizes)
    labels = rng.integers(0, 10, rows)
    return Network.create(
        name="784-128-10 b64",
        layers=_layers(sizes, ["relu", "softmax"]),
        weights=weights,
        biases=biases,
        loss=LossSpec("cross_entropy", outputs="sum", batch="mean"),
        optimizer=OptimizerSpec(learning_rate=0.1, batch_size=64),
        inputs=rng.random((rows, 784)),
        targets=np.eye(10)[labels],
    )


NETWORKS: list[tuple[str, Callable[[], Network]]] = [
    ("2-2-2 example", network_2_2_2),
    ("XOR 2-4-1", network_xor),
    ("2-8-8-8-1 tanh", network_deep),
    ("784-128-10 b64", network_mnist_like),
]


# -- the three implementations --------------------------------------------------------


def trainer_runner(network: Network) -> Impl:
    trainer = Trainer(network)

    def run(n: int) -> None:
        done = trainer.run(n)
        if done != n:
            raise RuntimeError(f"{network.name}: the Trainer diverged at {trainer.diverged_at}")

    def parameters() -> list[np.ndarray]:
        net = trainer.network()
        return list(net.weights + net.biases)

    return Impl(run, lambda: [float(x) for x in trainer.losses], parameters)


def trace_runner(network: Network) -> Impl:
    state: dict[str, Any] = {"net": network, "index": 0, "velocity": None}
    recorded: list[float] = []

    def run(n: int) -> None:
        net, index, velocity = state["net"], state["index"], state["velocity"]
        for _ in range(n):
            trace = trace_iteration(net, index, velocity)
            recorded.append(trace.loss)
            net, velocity = trace.network_after, trace.velocity
            index += 1
        state.update(net=net, index=index, velocity=velocity)

    def parameters() -> list[np.ndarray]:
        net = state["net"]
        return list(net.weights + net.biases)

    return Impl(run, lambda: recorded, parameters)


def torch_runner(network: Network) -> Impl:
    """PyTorch eager doing the engine's iteration, step for step."""
    assert torch is not None
    f64 = torch.float64
    weights = [torch.tensor(np.array(w), dtype=f64, requires_grad=True) for w in network.weights]
    biases = [torch.tensor(np.array(b), dtype=f64, requires_grad=True) for b in network.biases]
    opt = network.optimizer
    optimizer = torch.optim.SGD(weights + biases, lr=opt.learning_rate, momentum=opt.momentum)
    functions = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
        "linear": lambda z: z,
        "softmax": lambda z: torch.softmax(z, dim=1),
    }
    activations = [functions[layer.activation or ""] for layer in network.layers[1:]]
    layers = list(zip(weights, biases, activations, strict=True))
    linear = torch.nn.functional.linear

    spec = network.loss

    def loss_of(y: Any, t: Any) -> Any:
        # The plain formulas of engine/losses.py, reduced the same way.
        if spec.kind == "squared_error":
            terms = spec.scale * (y - t) ** 2
        elif spec.kind == "binary_cross_entropy":
            terms = -(t * torch.log(y) + (1.0 - t) * torch.log(1.0 - y))
        else:
            terms = -(t * torch.log(y))
        per_sample = terms.sum(dim=1) if spec.outputs == "sum" else terms.mean(dim=1)
        return per_sample.sum() if spec.batch == "sum" else per_sample.mean()

    # The same rows per iteration as the engine, precomputed for one cycle as it does.
    inputs = torch.tensor(np.array(network.inputs), dtype=f64)
    targets = torch.tensor(np.array(network.targets), dtype=f64)
    if opt.batch_size is None:
        cycle = [(inputs, targets)]
    else:
        n, k = network.row_count, opt.batch_size
        period = n // math.gcd(n, k)
        cycle = []
        for i in range(period):
            rows = torch.from_numpy(batch_rows(network, i))
            cycle.append((inputs[rows].contiguous(), targets[rows].contiguous()))
    recorded: list[float] = []
    state = {"index": 0}

    def run(count: int) -> None:
        index = state["index"]
        for _ in range(count):
            x, t = cycle[index % len(cycle)]
            optimizer.zero_grad()
            a = x
            for w, b, f in layers:
                a = f(linear(a, w, b))
            loss = loss_of(a, t)
            loss.backward()
            optimizer.step()
            recorded.append(loss.item())
            index += 1
        state["index"] = index

    def parameters() -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in weights + biases]

    return Impl(run, lambda: recorded, parameters)


# -- timing ---------------------------------------------------------------------------


@dataclass
class Timing:
    samples_us: list[float]  # µs per iteration of every timed run
    iterations: int  # per timed run
    on_cpu: float  # CPU time of the timing thread ÷ wall time, over the timed runs
    others: float | None  # cores used by other processes meanwhile (None: unknown)

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples_us)

    @property
    def best_us(self) -> float:
        return min(self.samples_us)

    @property
    def worst_us(self) -> float:
        return max(self.samples_us)

    def us(self, stat: str) -> float:
        return self.best_us if stat == "best" else self.median_us


def machine_busy_seconds() -> float | None:
    """CPU seconds all processes have used since boot, from /proc/stat (Linux only)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...: everything but idle and iowait.
    busy = sum(fields[:8]) - fields[3] - fields[4]
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def calibrate(run: Runner, run_seconds: float) -> int:
    """Warm up while finding how many iterations take about ``run_seconds``."""
    run(3)  # first calls: lazy initialisation, caches
    n = 1
    while True:
        start = time.perf_counter()
        run(n)
        elapsed = time.perf_counter() - start
        if elapsed >= run_seconds / 4 or n >= 1 << 20:
            break
        n *= 2
    for _ in range(2):  # refine the length on warmed-up runs close to the final one
        n = max(1, int(n * run_seconds / max(elapsed, 1e-9)))
        start = time.perf_counter()
        run(n)
        elapsed = time.perf_counter() - start
    return n


def measure(runs: dict[str, Runner], repeats: int, run_seconds: float) -> dict[str, Timing]:
    """For each implementation in turn: warm up and calibrate, then time ``repeats`` runs.

    The runs of one implementation are timed back to back, right after its own
    warm-up, never interleaved with another's: NumPy's OpenBLAS threads and
    torch's OpenMP threads both spin-wait for a while after a call, so
    alternating between them on a 2-core machine makes each wait for the
    other's spinning threads (measured: up to 10 ms per iteration instead of
    0.04-0.6 ms).
    """
    timings: dict[str, Timing] = {}
    for name, run in runs.items():
        n = calibrate(run, run_seconds)
        samples: list[float] = []
        gc_was_enabled = gc.isenabled()
        gc.collect()
        gc.disable()
        busy_start, own_start = machine_busy_seconds(), own_cpu_seconds()
        cpu_start, wall_start = time.thread_time(), time.perf_counter()
        try:
            for _ in range(repeats):
                start = time.perf_counter()
                run(n)
                samples.append((time.perf_counter() - start) / n * 1e6)
        finally:
            if gc_was_enabled:
                gc.enable()
        wall = time.perf_counter() - wall_start
        on_cpu = (time.thread_time() - cpu_start) / wall
        busy_end, own = machine_busy_seconds(), own_cpu_seconds() - own_start
        others = None
        if busy_start is not None and busy_end is not None:
            others = max(0.0, (busy_end - busy_start - own) / wall)
        timings[name] = Timing(samples, n, on_cpu, others)
    return timings


# -- environment ----------------------------------------------------------------------


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def numpy_blas_threads() -> str:
    """Threads of NumPy's OpenBLAS, asked from the loaded library (best effort)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        paths = set()
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol in (
            "scipy_openblas_get_num_threads64_",
            "openblas_get_num_threads64_",
            "openblas_get_num_threads",
        ):
            if hasattr(lib, symbol):
                return f"{getattr(lib, symbol)()} ({Path(path).name})"
    return "unknown"


def print_environment(cores: int) -> None:
    print(f"Python {platform.python_version()}, {platform.machine()}, {cores} cores available")
    print(f"numpy {np.__version__}, BLAS threads: {numpy_blas_threads()}")
    if torch is None:
        print("torch: not installed, engine columns only")
    else:
        print(
            f"torch {torch.__version__}: torch.set_num_threads({cores}) -> "
            f"intra-op threads {torch.get_num_threads()}, "
            f"inter-op threads {torch.get_num_interop_threads()}"
        )


# -- main -----------------------------------------------------------------------------


def _max_diff(a: list[np.ndarray] | list[float], b: list[np.ndarray] | list[float]) -> float:
    return max(
        float(np.max(np.abs(np.asarray(x) - np.asarray(y)))) for x, y in zip(a, b, strict=True)
    )


def verify(networks: list[tuple[str, Network]]) -> float:
    """Max abs difference of losses and parameters after a few iterations, vs the fast path."""
    print(
        f"\nAgreement after {VERIFY_ITERATIONS} iterations, max abs diff vs the fast path "
        "(losses of every iteration / parameters after):"
    )
    makers: list[tuple[str, Callable[[Network], Impl]]] = [("trace", trace_runner)]
    if torch is not None:
        makers.append(("torch", torch_runner))
    worst = 0.0
    for label, net in networks:
        fast = trainer_runner(net)
        fast.run(VERIFY_ITERATIONS)
        losses = fast.losses()
        cells = []
        for name, make in makers:
            other = make(net)
            other.run(VERIFY_ITERATIONS)
            loss_diff = _max_diff(other.losses(), losses)
            param_diff = _max_diff(other.parameters(), fast.parameters())
            worst = max(worst, loss_diff, param_diff)
            cells.append(f"{name} {loss_diff:.1e} / {param_diff:.1e}")
        print(
            f"  {label:<16} " + "   ".join(cells) + f"   (loss {losses[0]:.6g} -> {losses[-1]:.6g})"
        )
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run: fewer, shorter repeats")
    parser.add_argument(
        "--repeats", type=int, help="timed runs per measurement (default 9, quick 5)"
    )
    parser.add_argument(
        "--stat",
        choices=("median", "best"),
        default="median",
        help="statistic of the timed runs shown and checked (default median); best-of "
        "resists load from other processes better",
    )
    args = parser.parse_args(argv)
    stat = args.stat
    repeats = args.repeats or (5 if args.quick else 9)
    run_seconds = 0.02 if args.quick else 0.1

    cores = cpu_count()
    if torch is not None:
        torch.set_num_threads(cores)
    print_environment(cores)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) before starting: {load:.2f}")
    started = time.perf_counter()

    networks = [(label, build()) for label, build in NETWORKS]
    worst = verify(networks)
    if worst > 1e-9:
        print(f"WARNING: the implementations disagree (max abs diff {worst:.2e}): not equal work")

    print(
        f"\nµs per iteration (forward, loss, backward, update): {stat} of {repeats} timed runs "
        f"of ~{run_seconds * 1000:.0f} ms each after warm-up; gc off while timing"
    )
    header = (
        f"{'net':<16} | {'fast path':>10} | {'trace_iter':>10} | {'torch eager':>11} "
        f"| {'torch ÷ fast':>12}"
    )
    print(header)
    print("-" * len(header))
    results: dict[str, dict[str, Timing]] = {}
    for label, net in networks:
        runs = {"fast": trainer_runner(net).run, "trace": trace_runner(net).run}
        if torch is not None:
            runs["torch"] = torch_runner(net).run
        row = measure(runs, repeats, run_seconds)
        results[label] = row
        torch_cell, ratio_cell = f"{'—':>11}", f"{'—':>12}"
        if "torch" in row:
            torch_cell = f"{row['torch'].us(stat):>11.1f}"
            ratio_cell = f"{row['torch'].us(stat) / row['fast'].us(stat):>11.2f}×"
        print(
            f"{label:<16} | {row['fast'].us(stat):>10.1f} | {row['trace'].us(stat):>10.1f} "
            f"| {torch_cell} | {ratio_cell}",
            flush=True,
        )

    print(
        "\nSpread: best .. worst of the timed runs (µs/it), iterations per run; cpu: share of "
        "the wall time the timing thread was on a CPU; others: cores used by other processes "
        "meanwhile"
    )
    disturbed = False
    for label, row in results.items():
        cells = []
        for name, t in row.items():
            others = "?" if t.others is None else f"{t.others:.2f}"
            cells.append(
                f"{name} {t.best_us:.1f}..{t.worst_us:.1f} n={t.iterations} "
                f"cpu {t.on_cpu:.0%} others {others}"
            )
            # The small nets compute on the timing thread: below ~90% it was waiting, for
            # a core taken by another process or for torch's OpenMP threads, which stall
            # when a core is taken (measured: 2-8-8-8-1 at 7-20 ms/it instead of 0.2 ms).
            small = label != "784-128-10 b64"
            busy = t.others is not None and t.others > 0.15
            disturbed = disturbed or busy or (small and t.on_cpu < 0.9)
        print(f"  {label:<16} " + "   ".join(cells))
    if disturbed:
        print(
            "WARNING: the machine was busy during some measurements (cpu < 90% or others > 0.15): "
            f"another process competed for the {cores} cores. Rerun on an idle machine "
            "(or try --stat best)."
        )

    print(f"\nTargets ({stat}):")
    failed = False

    def report(ok: bool | None, text: str) -> None:
        nonlocal failed
        verdict = "SKIP" if ok is None else ("PASS" if ok else "FAIL")
        failed = failed or ok is False
        print(f"  {verdict}  {text}")

    for label in ("2-2-2 example", "XOR 2-4-1"):
        row = results[label]
        if "torch" in row:
            ratio = row["torch"].us(stat) / row["fast"].us(stat)
            report(ratio >= 5.0, f"{label}: fast path ≥5× faster than torch (is {ratio:.2f}×)")
        else:
            report(None, f"{label}: fast path ≥5× faster than torch (torch not installed)")
    row = results["784-128-10 b64"]
    if "torch" in row:
        slower = row["fast"].us(stat) / row["torch"].us(stat)
        report(
            slower <= 1.2,
            f"784-128-10 b64: fast path ≤1.2× torch's time (is {slower:.2f}× torch's time)",
        )
    else:
        report(None, "784-128-10 b64: fast path ≤1.2× torch's time (torch not installed)")
    trace_us = results["2-2-2 example"]["trace"].us(stat)
    report(trace_us < 60.0, f"2-2-2 example: trace_iteration < 60 µs (is {trace_us:.1f} µs)")
    print(f"\nTotal time {time.perf_counter() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
