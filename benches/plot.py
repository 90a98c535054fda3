"""Charts of the side-by-side benchmark: reads DIR/results.json, writes DIR/*.png.

Usage: /usr/bin/python3 benches/plot.py [DIR]   (DIR defaults to docs/benchmarks)
Needs Debian's python3-matplotlib; benches/run.sh installs it.
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

BACKEND_LABELS = {
    "sqlite-normal": "SQLite WAL NORMAL",
    "sqlite-full": "SQLite WAL FULL",
    "postgres": "PostgreSQL",
}


def grouped_bars(ax, summaries, field, variants, backends):
    """One group of bars per variant, one bar per backend; returns the largest value."""
    width = 0.8 / max(len(backends), 1)
    largest = 0
    for i, backend in enumerate(backends):
        values = []
        for variant in variants:
            row = next((s for s in summaries if s["backend"] == backend and s["variant"] == variant), None)
            values.append(row[field] if row and row[field] is not None else 0)
        xs = [x + (i - (len(backends) - 1) / 2) * width for x in range(len(variants))]
        largest = max([largest] + values)
        bars = ax.bar(xs, values, width, label=BACKEND_LABELS.get(backend, backend))
        ax.bar_label(bars, fmt="%.3g", fontsize=6, rotation=90, padding=2)
    ax.set_xticks(range(len(variants)), variants)
    ax.legend(fontsize=7, loc="best")
    ax.grid(axis="y", alpha=0.3)
    return largest


def log_scale(ax, largest):
    """A log axis with room above the tallest bar for its label."""
    ax.set_yscale("log")
    if largest > 0:
        ax.set_ylim(top=largest * 6)


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/benchmarks")
    results = json.loads((out / "results.json").read_text())
    summaries = results["summaries"]
    backends = [b for b in results["settings"]["backends"]]
    variants = list(dict.fromkeys(s["variant"] for s in summaries))
    http_variants = [v for v in variants if not v.startswith("B2")]
    conns = results["settings"]["connections"]

    fig, ax = plt.subplots(figsize=(10, 5))
    log_scale(ax, grouped_bars(ax, summaries, "rps", variants, backends))
    ax.set_ylabel("requests (B2: UPDATEs) per second, log scale")
    ax.set_title(f"Throughput, {conns} connections, server on 1 core (median of rounds)")
    save(fig, out / "throughput.png")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    for ax, field, label in zip(axes, ["p50_ms", "p99_ms", "p999_ms"], ["p50", "p99", "p99.9"]):
        log_scale(ax, grouped_bars(ax, summaries, field, http_variants, backends))
        ax.set_title(f"{label} latency (ms, log scale)")
    save(fig, out / "latency.png")

    fig, ax = plt.subplots(figsize=(10, 4.5))
    # B0 is left out: its ratio (10-40×) would flatten every other bar.
    grouped_bars(ax, summaries, "ratio_to_b1", [v for v in variants if v != "B0"], backends)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_ylabel("req/s ÷ B1 req/s")
    ax.set_title("Each variant relative to the storage floor through HTTP (B1 = 1)")
    ax.margins(y=0.15)
    save(fig, out / "ratio_to_b1.png")

    fig, ax = plt.subplots(figsize=(10, 4.5))
    cpu_variants = http_variants + [v for v in variants if v.startswith("B2")]
    log_scale(ax, grouped_bars(ax, summaries, "cpu_us_per_request", cpu_variants, backends))
    ax.set_ylabel("server (+ PostgreSQL) CPU µs per request, log scale")
    ax.set_title("CPU cost per request")
    save(fig, out / "cpu_per_request.png")

    scale = results.get("scale_out") or {}
    if scale.get("one_instance_rps"):
        fig, ax = plt.subplots(figsize=(5, 4))
        values = [scale["one_instance_rps"], scale["two_instances_rps"]]
        bars = ax.bar(["1 instance", "2 instances"], values, color=["tab:blue", "tab:orange"])
        ax.bar_label(bars, fmt="%.0f")
        ax.set_ylabel("aggregate req/s (B3)")
        ax.set_title(f"PostgreSQL scale-out: {scale['ratio']:.2f}×")
        save(fig, out / "scale_out.png")


if __name__ == "__main__":
    main()
