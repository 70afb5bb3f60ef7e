"""Time one optimizer step: nnref's optimizers against torch's own on CPU.

About --params float32 parameters in --tensors tensors, random grads set once.
Each row compares three implementations, run in turn (interleaved rounds, so
drift in machine speed hits all three alike):

* ours     -- nnref.optim
* default  -- torch's default on CPU: the per-tensor for-loop (torch picks
              foreach only for CUDA-like devices, fused never by default)
* fused    -- torch's fused=True kernel, where torch has one on CPU (else n/a)

NAG is timed as step(closure) with a closure that only returns a constant (the
grads are already set), against SGD(nesterov=True).step().

    python scripts/bench_optim.py [--params N] [--tensors K] [--repeats R] [--threads T]
"""

import argparse
import statistics
import time

import torch

from nnref.optim import GD, NAG, AdaGrad, Adam, Momentum, RMSProp

LR = 1e-6  # tiny, so that many steps leave the values (and hence the timings) sane

# name -> (our optimizer, torch's class, shared keyword arguments)
CASES = {
    "GD": (lambda ps: GD(ps, lr=LR), torch.optim.SGD, dict(lr=LR)),
    "Momentum": (
        lambda ps: Momentum(ps, lr=LR, momentum=0.9),
        torch.optim.SGD,
        dict(lr=LR, momentum=0.9),
    ),
    "NAG": (
        lambda ps: NAG(ps, lr=LR, momentum=0.9),
        torch.optim.SGD,
        dict(lr=LR, momentum=0.9, nesterov=True),
    ),
    "AdaGrad": (lambda ps: AdaGrad(ps, lr=LR), torch.optim.Adagrad, dict(lr=LR)),
    "RMSProp": (lambda ps: RMSProp(ps, lr=LR), torch.optim.RMSprop, dict(lr=LR)),
    "Adam": (lambda ps: Adam(ps, lr=LR), torch.optim.Adam, dict(lr=LR)),
}


def make_params(total, count, generator):
    sizes = [total // count + (i < total % count) for i in range(count)]
    params = []
    for size in sizes:
        p = torch.nn.Parameter(torch.randn(size, generator=generator))
        p.grad = torch.randn(size, generator=generator)
        params.append(p)
    return params


def constant_closure():
    return 0.0


def stepper(optimizer, needs_closure):
    if needs_closure:
        return lambda: optimizer.step(constant_closure)
    return optimizer.step


def build(name, total, count):
    """The three steppers for one row; fused is None where torch has no CPU kernel."""
    make_ours, torch_class, kwargs = CASES[name]
    generator = torch.Generator().manual_seed(0)
    steppers = {
        "ours": stepper(make_ours(make_params(total, count, generator)), name == "NAG"),
        "default": stepper(torch_class(make_params(total, count, generator), **kwargs), False),
    }
    try:
        fused = torch_class(make_params(total, count, generator), fused=True, **kwargs)
        fused.step()  # some classes accept fused=True and only fail here
        steppers["fused"] = stepper(fused, False)
    except (RuntimeError, TypeError, ValueError):
        steppers["fused"] = None
    for step in steppers.values():
        if step is not None:
            step()  # warm-up: creates the state
    return steppers


def time_steps(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps * 1e3


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--params", type=int, default=10_000_000, help="total float32 parameters")
    parser.add_argument("--tensors", type=int, default=50, help="number of parameter tensors")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved rounds per optimizer")
    parser.add_argument("--steps", type=int, default=3, help="steps timed per round")
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="run only these rows")
    parser.add_argument(
        "--threads",
        type=int,
        help="torch intra-op threads (default: torch's); 1 is steadier on a busy machine",
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    import datetime
    import os
    import platform

    print(
        f"{datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"{args.params:,} float32 params in {args.tensors} tensors, "
        f"{args.repeats} rounds x {args.steps} steps; median ms per step\n"
    )
    print(
        "| optimizer | ours (ms) | torch default (ms) | "
        "torch fused (ms) | ours/default | ours/fused |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.only or CASES:
        steppers = build(name, args.params, args.tensors)
        times = {impl: [] for impl, step in steppers.items() if step is not None}
        order = list(times)
        for round_ in range(args.repeats):
            # Rotate who goes first, so no implementation always follows the same one.
            for impl in order[round_ % len(order) :] + order[: round_ % len(order)]:
                times[impl].append(time_steps(steppers[impl], args.steps))
        median = {impl: statistics.median(ts) for impl, ts in times.items()}
        # Ratio of medians over rounds would hide pairing; the median of per-round ratios keeps it.
        ratio = {
            impl: statistics.median(o / t for o, t in zip(times["ours"], times[impl]))
            for impl in times
            if impl != "ours"
        }
        fused_ms = f"{median['fused']:.2f}" if "fused" in median else "n/a"
        fused_ratio = f"{ratio['fused']:.2f}" if "fused" in ratio else "n/a"
        print(
            f"| {name} | {median['ours']:.2f} | {median['default']:.2f} | {fused_ms} "
            f"| {ratio['default']:.2f} | {fused_ratio} |",
            flush=True,
        )
        del steppers


if __name__ == "__main__":
    main()
