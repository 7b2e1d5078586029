#!/usr/bin/env python3
"""capfix benchmark: issue 9's targets against the copy, read and parse floors, in one run.

    bench/run.py CAPFIX [--files N] [--stream-mb M] [--repeat R] [--check] [--keep DIR]

Generates the synthetic corpora with ../shared/bench/gen_corpus.py (seeded, so
every run measures the same bytes) into a temporary directory, then for each of
R rounds:
  - `cp -rT SRC DST` of the tree (the write floor) into a fresh directory;
  - `find | xargs cat` of the tree (the read floor of scan);
  - restores a working copy with `cp -rT` (untimed) before each fix and times
    `capfix fix --drop-only -q WORK` (default -j, then -j1) and the default
    fix (add lists inferred); `capfix scan` (default -j, then -j1);
  - for the stream: `cat`, libfyaml's event parse alone (capfix-bench-parse,
    built beside capfix) and `capfix fix --drop-only -` on stdin.
Reports the median wall time, MB/s, the ratio to cp, and capfix's peak RSS
(ru_maxrss of the child). With --check, runs ../shared/bench/check.py and
noise.py on the fixed tree afterwards (slow: PyYAML).
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "shared"))


def tree_bytes(path):
    total = 0
    for d, _, fs in os.walk(path):
        for f in fs:
            total += os.path.getsize(os.path.join(d, f))
    return total


def timed(cmd, **kw):
    """Wall time and the peak RSS (KiB) of one child process.

    The dirty pages of earlier steps are written back first (sync), so that
    no step pays for the writeback of the one before it."""
    os.sync()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if r.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {r.returncode}: {r.stderr.decode()[:2000]}")
    # ru_maxrss of RUSAGE_CHILDREN is the maximum over all children so far:
    # measure capfix in a fresh interpreter child when an exact figure matters.
    return dt, rss if rss > before else None


def peak_rss(cmd):
    """Peak RSS in KiB of cmd, measured with GNU time in its own process."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capfix")
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--stream-mb", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--keep", help="generate into (and keep) this directory")
    ap.add_argument("--settle", type=int, default=0,
                    help="seconds to wait after making the working copies")
    a = ap.parse_args()
    capfix = os.path.abspath(a.capfix)
    gen = os.path.join(SHARED, "bench", "gen_corpus.py")
    base = a.keep or tempfile.mkdtemp(prefix="capfix-bench-")
    os.makedirs(base, exist_ok=True)
    src = os.path.join(base, "src")
    stream = os.path.join(base, "stream.yaml")
    if not os.path.isdir(src):
        subprocess.run([sys.executable, gen, "dir", src, "--files", str(a.files)], check=True,
                       stdout=subprocess.DEVNULL)
    if not os.path.exists(stream):
        subprocess.run([sys.executable, gen, "stream", stream, "--size-mb", str(a.stream_mb)],
                       check=True, stdout=subprocess.DEVNULL)
    size = tree_bytes(src)
    ssize = os.path.getsize(stream)
    parse = os.path.join(os.path.dirname(capfix), "capfix-bench-parse")
    t = {k: [] for k in ("cp", "cat_tree", "fix", "fix_j1", "fix_default", "scan", "scan_j1",
                         "cat", "parse", "stdin", "stdin_j1")}

    # Every working copy is made before the first timing and nothing is
    # deleted until the end: on ext4 without a journal, creating a file
    # right after many deletions is slow (the inode allocator skips inodes
    # deleted in the last minute: recently_deleted()), and each step would
    # pay for the deletions of the one before. The copies live in a fresh
    # directory of their own.
    runs = tempfile.mkdtemp(prefix="runs-", dir=base)
    copies = {}
    for i in range(a.repeat):
        for key in ("fix", "fix_j1", "fix_default"):
            copies[key, i] = os.path.join(runs, f"{key}-{i}")
            subprocess.run(["cp", "-rT", src, copies[key, i]], check=True)
    copies["rss"] = os.path.join(runs, "rss")
    subprocess.run(["cp", "-rT", src, copies["rss"]], check=True)
    os.sync()
    if a.settle:
        time.sleep(a.settle)

    for i in range(a.repeat):
        t["cp"].append(timed(["cp", "-rT", src, os.path.join(runs, f"cp-{i}")])[0])
        t["cat_tree"].append(timed(["sh", "-c", f"find '{src}' -type f -print0 | xargs -0 cat >/dev/null"])[0])
        t["fix"].append(timed([capfix, "fix", "--drop-only", "-q", copies["fix", i]])[0])
        t["fix_j1"].append(timed([capfix, "fix", "--drop-only", "-q", "-j1", copies["fix_j1", i]])[0])
        t["fix_default"].append(timed([capfix, "fix", "-q", copies["fix_default", i]])[0])
        t["scan"].append(timed([capfix, "scan", "--fail-on", "none", src])[0])
        t["scan_j1"].append(timed([capfix, "scan", "--fail-on", "none", "-j1", src])[0])
        t["cat"].append(timed(["cat", stream])[0])
        with open(stream, "rb") as fin:
            t["parse"].append(timed([parse], stdin=fin)[0])
        for key, extra in (("stdin", []), ("stdin_j1", ["-j1"])):
            with open(stream, "rb") as fin:
                t[key].append(timed([capfix, "fix", "--drop-only", "-q"] + extra + ["-"], stdin=fin)[0])
    work = copies["rss"]
    rss_dir = peak_rss([capfix, "fix", "--drop-only", "-q", work])
    rss_stdin = int(subprocess.run(["sh", "-c", f"/usr/bin/time -f %M {capfix} fix --drop-only -q - < {stream} > /dev/null"],
                                   capture_output=True, text=True).stderr.strip().splitlines()[-1])
    m = {k: statistics.median(v) for k, v in t.items()}
    mb = size / 1e6
    smb = ssize / 1e6
    rows = [
        ("cp -rT (tree)", m["cp"], mb, ""),
        ("find, xargs cat (tree)", m["cat_tree"], mb, ""),
        ("capfix fix --drop-only (tree)", m["fix"], mb,
         f"{m['fix'] / m['cp']:.2f}x cp (target <= 1.25x), peak RSS {rss_dir / 1024:.1f} MiB"),
        ("capfix fix --drop-only -j1 (tree)", m["fix_j1"], mb,
         f"{m['fix_j1'] / m['fix']:.2f}x the default -j"),
        ("capfix fix, add lists inferred (tree)", m["fix_default"], mb,
         f"{m['fix_default'] / m['fix']:.2f}x --drop-only (target <= 1.10x)"),
        ("capfix scan (tree)", m["scan"], mb,
         f"{m['scan'] / m['cat_tree']:.2f}x find+cat (target <= 4x)"),
        ("capfix scan -j1 (tree)", m["scan_j1"], mb, ""),
        ("cat (stream)", m["cat"], smb, ""),
        ("libfyaml parse (stream, capfix-bench-parse)", m["parse"], smb, ""),
        ("capfix fix --drop-only - <stream", m["stdin"], smb,
         f"{m['stdin'] / (m['cat'] + m['parse']):.2f}x cat+parse (target <= 1.25x), "
         f"peak RSS {rss_stdin / 1024:.1f} MiB = input + {rss_stdin / 1024 - ssize / 2**20:.1f} MiB "
         f"(target <= input + 16 MiB)"),
        ("capfix fix --drop-only -j1 - <stream", m["stdin_j1"], smb, ""),
    ]
    print(f"tree: {a.files} files, {mb:.1f} MB; stream: {smb:.1f} MB; median of {a.repeat} rounds; "
          f"{os.cpu_count()} CPUs")
    print("| what | wall | MB/s | against the target |")
    print("|---|---|---|---|")
    for name, sec, size_mb, note in rows:
        print(f"| {name} | {sec:.3f} s | {size_mb / sec:.1f} | {note} |")
    if a.check:
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "check.py"), src, work])
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "noise.py"), src, work,
                        "--sample", "1000"])
    shutil.rmtree(runs)
    if not a.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
