#!/usr/bin/env python3
"""run_imagecaps.py CAPFIX: a binary's file capabilities, read from an image's layers, are kept.

Builds a tiny `docker save` archive (the legacy layout: manifest.json, the config blob, one
layer tar) whose /usr/bin/app carries security.capability = cap_net_bind_service+ep as a PAX
record (vfs_cap_data revision 2, written raw: GNU tar's and Python's hdrcharset=BINARY form), and
a gzip-compressed copy of the layer in a second archive. A container that runs as a non-root
user and starts /usr/bin/app must keep NET_BIND_SERVICE (exec fails without it), with evidence
`image`; without --images it gets nothing (add does nothing for non-root without file caps).
`scan --images` reports CF011 for the same container dropping ALL without the add, and not once
it adds NET_BIND_SERVICE or without --images.
"""
import gzip
import io
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL:", msg)


def layer(gz):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT,
                      encoding="utf-8", errors="surrogateescape") as t:
        data = b"\x7fELF fake binary\n"
        info = tarfile.TarInfo("usr/bin/app")
        info.size = len(data)
        info.mode = 0o755
        # vfs_cap_data v2: magic | effective, then permitted/inheritable words (le32)
        raw = struct.pack("<IIIII", 0x02000000 | 1, 1 << 10, 0, 0, 0)
        info.pax_headers = {"SCHILY.xattr.security.capability":
                            raw.decode("utf-8", "surrogateescape")}
        t.addfile(info, io.BytesIO(data))
        passwd = b"root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
        pi = tarfile.TarInfo("etc/passwd")
        pi.size = len(passwd)
        t.addfile(pi, io.BytesIO(passwd))
    raw = buf.getvalue()
    return gzip.compress(raw) if gz else raw


def save_tar(path, gz, entrypoint=True):
    lay = layer(gz)
    start = {"Entrypoint": ["/usr/bin/app"]} if entrypoint else {"Cmd": ["/bin/sh"]}
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"User": "app", **start},
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    manifest = json.dumps([{"Config": "cfg.json", "RepoTags": ["registry.example/app:1"],
                            "Layers": ["l1/layer.tar"]}]).encode()
    with tarfile.open(path, "w") as t:
        for name, data in (("manifest.json", manifest), ("cfg.json", config), ("l1/layer.tar", lay)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))


POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: registry.example/app:1
"""


def run(capfix, cwd, *args):
    return subprocess.run([capfix, "fix", "--check", "--format", "json", *args, "."], cwd=cwd,
                          capture_output=True, text=True)


DROPPED = POD + """    securityContext:
      capabilities:
        drop: [ALL]
"""


def scan_ids(capfix, cwd, *args):
    r = subprocess.run([capfix, "scan", "--format", "json", *args, "."], cwd=cwd,
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        fail(f"scan {args}: exit {r.returncode}: {r.stderr}")
        return []
    rep = json.loads(r.stdout)
    return [f for f in rep.get("findings", []) if f.get("rule") == "CF011"]


def check_scan(capfix, save):
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "pod.yaml"), "w") as f:
            f.write(DROPPED)
        found = scan_ids(capfix, tmp, "--images", save)
        if len(found) != 1 or "NET_BIND_SERVICE" not in found[0].get("message", "") \
                or "/usr/bin/app" not in found[0].get("message", ""):
            fail(f"scan --images: expected one CF011 naming NET_BIND_SERVICE and /usr/bin/app: {found}")
        if scan_ids(capfix, tmp):
            fail("scan without --images reported CF011")
        with open(os.path.join(tmp, "pod.yaml"), "w") as f:
            f.write(DROPPED.replace("drop: [ALL]", "drop: [ALL]\n        add: [NET_BIND_SERVICE]"))
        if scan_ids(capfix, tmp, "--images", save):
            fail("scan --images reported CF011 although the container adds NET_BIND_SERVICE")


def check_args_start(capfix, tmp):
    """An image without an entrypoint runs the container's args: fix and scan agree that
    /usr/bin/app starts (its file capability is a hard need) under `args:`, not under `args: []`."""
    save = os.path.join(tmp, "noentry.tar")
    save_tar(save, False, entrypoint=False)
    with tempfile.TemporaryDirectory() as d:
        for args, want in (('["/usr/bin/app", "--serve"]', True), ("[]", False)):
            with open(os.path.join(d, "pod.yaml"), "w") as f:
                f.write(POD + f"    args: {args}\n")
            got = decisions(run(capfix, d, "--images", save).stdout)
            if (got.get(("NET_BIND_SERVICE", "added")) == "image") != want:
                fail(f"args {args} without an entrypoint: fix decisions {got}")
            with open(os.path.join(d, "pod.yaml"), "w") as f:
                f.write(DROPPED + f"    args: {args}\n")
            if bool(scan_ids(capfix, d, "--images", save)) != want:
                fail(f"args {args} without an entrypoint: scan CF011 {scan_ids(capfix, d, '--images', save)}")


def decisions(out):
    rep = json.loads(out)
    for f in rep.get("files", []):
        for c in f.get("containers", []):
            return {(d["capability"], d["action"]): d["evidence"] for d in c.get("decisions", [])}
    return {}


def main():
    capfix = os.path.realpath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "pod.yaml"), "w") as f:
            f.write(POD)
        for gz in (False, True):
            save = os.path.join(tmp, "save%s.tar" % ("-gz" if gz else ""))
            save_tar(save, gz)
            r = run(capfix, tmp, "--images", save)
            if r.returncode not in (0, 1):
                fail(f"--images {save}: exit {r.returncode}: {r.stderr}")
                continue
            d = decisions(r.stdout)
            if d.get(("NET_BIND_SERVICE", "added")) != "image":
                fail(f"gzip={gz}: NET_BIND_SERVICE not added from the file capability: {d}")
            if "no evidence" in r.stderr:
                fail(f"gzip={gz}: warned as unknown although the image says its user: {r.stderr}")
        check_scan(capfix, os.path.join(tmp, "save.tar"))
        check_args_start(capfix, tmp)
        r = run(capfix, tmp)
        d = decisions(r.stdout)
        if ("NET_BIND_SERVICE", "added") in d:
            fail(f"without --images NET_BIND_SERVICE came from nowhere: {d}")
    print(f"imagecaps: {len(FAILS)} failures")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
