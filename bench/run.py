#!/usr/bin/env python3
"""capfix benchmark: fix --drop-only against the copy floor, in one run.

    bench/run.py CAPFIX [--files N] [--stream-mb M] [--repeat R] [--check] [--keep DIR]

Generates the synthetic corpora with ../shared/bench/gen_corpus.py (seeded, so
every run measures the same bytes) into a temporary directory, then for each of
R rounds:
  - `cp -rT SRC DST` of the tree (the write floor) into a fresh directory;
  - restores a working copy with `cp -rT` (untimed) and times
    `capfix fix --drop-only -q WORK`;
  - for the stream file: `cat` (read floor) and capfix on a copy of it.
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
    """Wall time and the peak RSS (KiB) of one child process."""
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
    work = os.path.join(base, "work")
    cp_times, fix_times, cat_times, sfix_times, stdin_times = [], [], [], [], []
    for i in range(a.repeat):
        dst = os.path.join(base, f"cp{i}")
        dt, _ = timed(["cp", "-rT", src, dst])
        cp_times.append(dt)
        subprocess.run(["cp", "-rT", src, work], check=True)
        dt, _ = timed([capfix, "fix", "--drop-only", "-q", work])
        fix_times.append(dt)
        dt, _ = timed(["cat", stream])
        cat_times.append(dt)
        shutil.copyfile(stream, os.path.join(base, "stream-work.yaml"))
        dt, _ = timed([capfix, "fix", "--drop-only", "-q", os.path.join(base, "stream-work.yaml")])
        sfix_times.append(dt)
        with open(stream, "rb") as fin:
            t0 = time.perf_counter()
            subprocess.run([capfix, "fix", "--drop-only", "-q", "-"], stdin=fin,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stdin_times.append(time.perf_counter() - t0)
    subprocess.run(["cp", "-rT", src, work], check=True)
    rss_dir = peak_rss([capfix, "fix", "--drop-only", "-q", work])
    shutil.copyfile(stream, os.path.join(base, "stream-work.yaml"))
    rss_stream = peak_rss([capfix, "fix", "--drop-only", "-q", os.path.join(base, "stream-work.yaml")])
    rss_stdin = int(subprocess.run(["sh", "-c", f"/usr/bin/time -f %M {capfix} fix --drop-only -q - < {stream} > /dev/null"],
                                   capture_output=True, text=True).stderr.strip().splitlines()[-1])
    mb = size / 1e6
    smb = ssize / 1e6
    cp_m, fix_m = statistics.median(cp_times), statistics.median(fix_times)
    cat_m, sfix_m = statistics.median(cat_times), statistics.median(sfix_times)
    print(f"tree: {a.files} files, {mb:.1f} MB; stream: {smb:.1f} MB; median of {a.repeat} rounds")
    print(f"  cp -rT                        {cp_m:7.3f} s  {mb / cp_m:7.1f} MB/s")
    print(f"  capfix fix --drop-only (tree) {fix_m:7.3f} s  {mb / fix_m:7.1f} MB/s  "
          f"{fix_m / cp_m:.2f}x cp  peak RSS {rss_dir / 1024:.1f} MiB")
    print(f"  cat stream                    {cat_m:7.3f} s  {smb / cat_m:7.1f} MB/s")
    print(f"  capfix fix --drop-only FILE   {sfix_m:7.3f} s  {smb / sfix_m:7.1f} MB/s  "
          f"peak RSS {rss_stream / 1024:.1f} MiB (input {smb:.1f} MB)")
    in_m = statistics.median(stdin_times)
    print(f"  capfix fix --drop-only - <stream {in_m:7.3f} s  {smb / in_m:7.1f} MB/s  "
          f"peak RSS {rss_stdin / 1024:.1f} MiB (one document at a time)")
    if a.check:
        orig = os.path.join(base, "cp0")
        subprocess.run(["cp", "-rT", src, orig], check=True)
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "check.py"), src, work])
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "noise.py"), src, work,
                        "--sample", "1000"])
    if not a.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
