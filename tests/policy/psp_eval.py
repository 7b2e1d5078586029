"""An independent PodSecurityPolicy admission check, for the tests (PyYAML data, no capfix code).

Written from the PSP admission semantics of Kubernetes 1.21-1.24
(pkg/security/podsecuritypolicy: provider.go and its strategies) for the
fields capfix's PSPs set. `admits(psp_spec, psp_annotations, pod_spec,
pod_metadata)` returns the list of reasons the PSP refuses the pod (empty:
admitted). What PSP admission mutates is taken as mutated (an unset
allowPrivilegeEscalation becomes false, unset groups get the range's
minimum), except two mutations that change what the workload can do: a drop
ALL added to a container fix left without one, and runAsNonRoot: MustRunAsNonRoot sets it on a
container that says nothing of its user, and the kubelet then refuses to
start it when the image's user is root, which the manifest cannot rule out:
counted as refused.
"""

SAFE_SYSCTLS = {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"}

# pod volume source field -> PSP volume type
VOLUME_TYPES = {k: k for k in (
    "awsElasticBlockStore", "azureDisk", "azureFile", "cinder", "configMap", "csi", "downwardAPI",
    "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo",
    "glusterfs", "hostPath", "iscsi", "nfs", "persistentVolumeClaim", "photonPersistentDisk",
    "portworxVolume", "projected", "quobyte", "rbd", "scaleIO", "secret", "storageos",
    "vsphereVolume")}
VOLUME_TYPES["cephfs"] = "cephFS"


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _containers(spec, with_ephemeral=True):
    keys = ("initContainers", "containers") + (("ephemeralContainers",) if with_ephemeral else ())
    for k in keys:
        for c in spec.get(k) or []:
            if isinstance(c, dict):
                yield c


def _in_range(v, ranges):
    return any(r["min"] <= v <= r["max"] for r in ranges)


def admits(psp, annotations, spec, metadata):
    why = []
    psc = spec.get("securityContext") or {}
    for f in ("hostNetwork", "hostIPC", "hostPID"):
        if spec.get(f) is True and not psp.get(f):
            why.append(f)
    # host ports (the API server defaults hostPort to containerPort with hostNetwork)
    for c in _containers(spec, with_ephemeral=False):
        for p in c.get("ports") or []:
            hp = _int(p.get("hostPort")) or 0
            if hp == 0 and spec.get("hostNetwork") is True:
                hp = _int(p.get("containerPort")) or 0
            if hp and not _in_range(hp, psp.get("hostPorts") or []):
                why.append(f"hostPort {hp}")
    allowed_vols = psp.get("volumes") or []
    for v in spec.get("volumes") or []:
        if not isinstance(v, dict):
            continue
        types = [k for k in v if k != "name"] or ["emptyDir"]
        for t in types:
            pt = VOLUME_TYPES.get(t)
            if "*" not in allowed_vols and (pt is None or pt not in allowed_vols):
                why.append(f"volume {t}")
    for s in psc.get("sysctls") or []:
        n = s.get("name") if isinstance(s, dict) else None
        if n and n not in SAFE_SYSCTLS and n not in (psp.get("allowedUnsafeSysctls") or []) \
                and "*" not in (psp.get("allowedUnsafeSysctls") or []):
            why.append(f"sysctl {n}")
    for f in ("fsGroup", "supplementalGroups"):
        rule = psp.get(f) or {}
        if rule.get("rule") != "MustRunAs":
            continue
        vals = psc.get(f)
        vals = [vals] if f == "fsGroup" and vals is not None else (vals or [])
        for g in vals:
            if _int(g) is None or not _in_range(g, rule["ranges"]):
                why.append(f"{f} {g}")
    allowed_profiles = (annotations.get("seccomp.security.alpha.kubernetes.io/allowedProfileNames") or "").split(",")

    def seccomp_ok(t, ann):
        if "*" in allowed_profiles:
            return True
        if t is not None and t != "RuntimeDefault":
            return False
        return ann in (None, "runtime/default", "docker/default")

    ann = (metadata or {}).get("annotations") or {}
    if not seccomp_ok((psc.get("seccompProfile") or {}).get("type"),
                      ann.get("seccomp.security.alpha.kubernetes.io/pod")):
        why.append("pod seccomp profile")
    caps_allowed = set(psp.get("allowedCapabilities") or [])
    for c in _containers(spec):
        sc = c.get("securityContext") or {}
        name = c.get("name")
        if sc.get("privileged") is True and not psp.get("privileged"):
            why.append(f"{name}: privileged")
        ape = sc.get("allowPrivilegeEscalation")
        if not psp.get("allowPrivilegeEscalation"):
            if ape is True:
                why.append(f"{name}: allowPrivilegeEscalation")
            # the false PSP sets is refused by validation with privileged or CAP_SYS_ADMIN
            elif ape is None and (sc.get("privileged") is True or
                                  "CAP_SYS_ADMIN" in ((sc.get("capabilities") or {}).get("add") or [])):
                why.append(f"{name}: allowPrivilegeEscalation (defaulted false)")
        drops = (sc.get("capabilities") or {}).get("drop") or []
        if "ALL" in (psp.get("requiredDropCapabilities") or []) and "ALL" not in drops \
                and sc.get("privileged") is not True:
            why.append(f"{name}: PSP would drop ALL, which fix left out")
        for a in (sc.get("capabilities") or {}).get("add") or []:
            if a not in caps_allowed and "*" not in caps_allowed:
                why.append(f"{name}: adds {a}")
        if not seccomp_ok((sc.get("seccompProfile") or {}).get("type"),
                          ann.get(f"container.seccomp.security.alpha.kubernetes.io/{name}")):
            why.append(f"{name}: seccomp profile")
        if sc.get("procMount") == "Unmasked" and "Unmasked" not in (psp.get("allowedProcMountTypes") or []):
            why.append(f"{name}: procMount Unmasked")
        if (psp.get("runAsUser") or {}).get("rule") == "MustRunAsNonRoot":
            uid = _int(sc.get("runAsUser"))
            if uid is None:
                uid = _int(psc.get("runAsUser"))
            nonroot = sc.get("runAsNonRoot")
            if nonroot is None:
                nonroot = psc.get("runAsNonRoot")
            if uid == 0 or nonroot is False or (uid is None and nonroot is not True):
                why.append(f"{name}: may run as root")
    return why
