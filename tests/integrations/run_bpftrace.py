#!/usr/bin/env python3
"""run_bpftrace.py CAPFIX: a real runtime trace, recorded with bpftrace, becomes the add list.

Where the machine allows it (root, bpftrace with its capable.bt tool, a kernel where the
cap_capable kprobe attaches), records a trace with capable.bt while a command chowns a file and
switches user (setpriv), keeps the events of those two commands (capable.bt traces the whole
machine), and runs `capfix fix --trace Pod/web:app=capable.txt`: the container's add list must
hold CHOWN, SETGID and SETUID, each with evidence `trace`. Skips (exit 77) elsewhere: not root,
no bpftrace or capable.bt, or the probe does not attach (no tracefs, a locked-down kernel).
CAPFIX_BPFTRACE names another bpftrace binary.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: registry.example/unknown:1
"""
TOOLS = ("/usr/sbin/capable.bt", "/usr/share/bpftrace/tools/capable.bt")
WORKLOAD = ("chown", "setpriv")


def skip(why):
    print("skip:", why)
    sys.exit(SKIP)


def record(bpftrace, tool, tmp):
    out = os.path.join(tmp, "raw.txt")
    err = os.path.join(tmp, "bpftrace.err")
    with open(out, "w") as fo, open(err, "w") as fe:
        p = subprocess.Popen([bpftrace, tool], stdout=fo, stderr=fe)
    deadline = time.time() + 30
    while time.time() < deadline:
        if p.poll() is not None:
            with open(err) as f:
                skip("bpftrace could not attach: " + f.read().strip().replace("\n", " ")[:300])
        with open(out) as f:
            if "Tracing" in f.read():
                break
        time.sleep(0.1)
    else:
        p.kill()
        skip("bpftrace did not start tracing within 30 s")
    target = os.path.join(tmp, "owned")
    open(target, "w").close()
    subprocess.run(["chown", "1:1", target], check=True)
    subprocess.run(["setpriv", "--reuid=1", "--regid=1", "--clear-groups", "true"], check=True)
    time.sleep(1)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=30)
    return out


def main():
    capfix = os.path.realpath(sys.argv[1])
    if os.geteuid() != 0:
        skip("not root")
    bpftrace = os.environ.get("CAPFIX_BPFTRACE") or shutil.which("bpftrace")
    if not bpftrace:
        skip("no bpftrace")
    if not shutil.which("setpriv"):
        skip("no setpriv")
    tool = next((t for t in TOOLS if os.access(t, os.R_OK)), None)
    if not tool:
        skip("no capable.bt")
    with tempfile.TemporaryDirectory() as tmp:
        raw = record(bpftrace, tool, tmp)
        # keep the header and the workload's own events (COMM is the 4th column)
        kept = 0
        with open(raw) as f, open(os.path.join(tmp, "capable.txt"), "w") as o:
            for line in f:
                cols = line.split()
                if len(cols) >= 7 and cols[3] in WORKLOAD:
                    o.write(line)
                    kept += 1
                elif not (len(cols) >= 7 and cols[1].isdigit()):
                    o.write(line)
        if not kept:
            print("FAIL: the trace holds no event of chown or setpriv")
            return 1
        with open(os.path.join(tmp, "pod.yaml"), "w") as f:
            f.write(POD)
        r = subprocess.run([capfix, "fix", "--check", "--format", "json", "--no-config",
                            "--trace", "Pod/web:app=capable.txt", "."], cwd=tmp,
                           capture_output=True, text=True)
        if r.returncode not in (0, 1):
            print(f"FAIL: capfix exit {r.returncode}: {r.stderr}")
            return 1
        rep = json.loads(r.stdout)
        got = {}
        for fl in rep.get("files", []):
            for c in fl.get("containers", []):
                for d in c.get("decisions", []):
                    if d.get("action") == "added":
                        got[d["capability"]] = d["evidence"]
        fails = [cap for cap in ("CHOWN", "SETGID", "SETUID") if got.get(cap) != "trace"]
        if fails:
            print(f"FAIL: {fails} not added with evidence trace; added: {got}")
            with open(os.path.join(tmp, "capable.txt")) as f:
                print(f.read())
            return 1
    print("bpftrace: CHOWN, SETGID, SETUID added from a real trace")
    return 0


if __name__ == "__main__":
    sys.exit(main())
