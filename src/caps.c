/*
 * caps.c - the capability catalogue: one static table of the 41 Linux
 * capabilities, sorted by name, and lookups over it.
 *
 * Sources. Names and numbers come from linux/capability.h (0..40, the last
 * being CHECKPOINT_RESTORE); tests/unit/test_caps.c compares the table with
 * the installed header. What each capability allows follows capabilities(7).
 * The runtime default set (14 names) is Docker's and containerd's, as listed
 * by CIS Docker 5.3 (benchmark 1.0 to 1.5.0) and 5.4 (1.6.0). The PSS columns
 * follow kubernetes/pod-security-admission: baseline allows adding the 13
 * defaults other than NET_RAW, restricted allows only NET_BIND_SERVICE. CIS
 * IDs always carry the benchmark version because the numbering moved: the
 * NET_RAW control is 5.2.7 in CIS Kubernetes 1.6 and 1.20 and 5.2.8 from
 * 1.23, and the Docker check is 5.3 before 1.6.0 and 5.4 in 1.6.0. The
 * explanations and advice are written for this project; a community guide
 * (a per-capability Linux capabilities guide) was read for advice but is wrong or inconsistent in
 * places.
 *
 * Risk, applied the same way to every entry:
 *   critical  a known, direct route to the host or to kernel code or memory
 *             (alone, or with a common setting such as hostPID);
 *   high      bypasses a whole class of kernel access control, or changes or
 *             reads state shared by the whole node (clock, kernel log, LSM
 *             policy, network configuration, raw packets);
 *   medium    changes identities, ownership or limits inside the container,
 *             or exposes host-wide information in a limited way;
 *   low       effects confined to the container's own processes, or no use
 *             in a server at all.
 * Advice: "drop" when ordinary application containers never need it;
 * "keep if needed" when some ordinary workloads do (add it back per
 * workload); "investigate first" for runtime defaults that root-start
 * entrypoints rely on without saying so, so dropping them needs a test run.
 *
 * Where that guide is wrong or contradicts itself (advice_note records the
 * decision where the advice is affected):
 * - Its second AUDIT_READ entry describes writing to the audit log: it is
 *   AUDIT_WRITE's entry and is treated as such. Its claim that Elasticsearch
 *   needs AUDIT_READ is not followed: only audit-log collectors read it.
 * - IPC_LOCK appears twice, first with text copied from FSETID saying drop,
 *   then saying keep: resolved as "keep if needed" (Vault, Elasticsearch).
 * - NET_BROADCAST appears twice, both saying keep; the kernel never checks
 *   this capability, so the advice is drop.
 * - SETUID appears twice with identical text (which mentions GIDs by
 *   mistake); one entry is kept.
 * - DAC_READ_SEARCH repeats DAC_OVERRIDE's text; it is really the read and
 *   search bypass plus open_by_handle_at (the Shocker escape): critical.
 * - BPF's impact text is copied from BLOCK_SUSPEND, and SYS_MODULE's
 *   reasoning from SYS_CHROOT; the drop advice stands for both.
 * - FSETID does not run anything as another user; it only keeps or sets
 *   set-ID bits. MAC_ADMIN and MAC_OVERRIDE are described as SELinux; the
 *   latter is implemented for Smack.
 * - LEASE and LINUX_IMMUTABLE are said to be needed for ordinary file use;
 *   leases on one's own files and file locks need no capability.
 * - WAKE_ALARM says drop, then that timers should be accessible; ordinary
 *   timers need no capability, so drop.
 * - SYS_CHROOT cannot leave the container's mount namespace; some daemons
 *   need it, so it is "keep if needed" rather than drop.
 * - CHECKPOINT_RESTORE is missing from the guide.
 */
#include "capfix/caps.h"

static const char *const cis_none[] = { NULL };
static const char *const cis_docker[] = { "CIS Docker 1.0-1.5.0 5.3", "CIS Docker 1.6.0 5.4",
					  NULL };
static const char *const cis_net_raw[] = { "CIS Kubernetes 1.6-1.20 5.2.7",
					   "CIS Kubernetes 1.23+ 5.2.8", "CIS Docker 1.0-1.5.0 5.3",
					   "CIS Docker 1.6.0 5.4", NULL };

static const struct cap_info caps[] = {
	{
		.name = "AUDIT_CONTROL",
		.number = 30,
		.summary = "Configure kernel auditing: enable or disable it and change its rules",
		.explanation =
			"Lets a process switch kernel auditing on or off, change the audit rules "
			"and read the audit status and rule list. "
			"The audit subsystem is not namespaced, so from a container this reaches "
			"the host's audit trail and can blind host monitoring. "
			"Only host audit daemons and security agents need it, and those belong in "
			"dedicated node agents rather than application pods.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "AUDIT_READ",
		.number = 37,
		.summary = "Read kernel audit events through a multicast netlink socket",
		.explanation =
			"Lets a process subscribe to kernel audit events over a multicast netlink "
			"socket. "
			"Those events describe activity on the whole host, not just in the "
			"container, so granting it reveals what other workloads and users do. "
			"Audit collectors such as auditbeat or go-audit need it; application "
			"containers do not.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide says to investigate before dropping because Elasticsearch and "
			"similar need it; they do not, only audit-log collectors do, and those run "
			"as node agents",
		.cis = cis_none,
	},
	{
		.name = "AUDIT_WRITE",
		.number = 29,
		.summary = "Write records to the kernel audit log",
		.explanation =
			"Lets a process append user-space records to the kernel audit log, as "
			"sshd, su, sudo, login and their PAM modules do. "
			"The audit log is shared with the host, so a compromised container could "
			"flood it or plant misleading entries, but it cannot read or reconfigure "
			"auditing with this alone. "
			"It is in the runtime default set; images that run login or "
			"privilege-switching tools may fail without it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_KEEP_IF_NEEDED,
		.advice_note =
			"the per-capability guide files this under a second AUDIT_READ heading and says drop; kept "
			"for images running sshd, su or PAM logins, dropped otherwise",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "BLOCK_SUSPEND",
		.number = 36,
		.summary = "Prevent the system from suspending (EPOLLWAKEUP, wake locks)",
		.explanation =
			"Lets a process use features that keep the system from entering suspend, "
			"such as the EPOLLWAKEUP flag of epoll and kernel wake locks. "
			"Servers that run containers do not suspend, so it has no purpose there "
			"and only adds kernel surface. "
			"Power-management daemons on mobile or embedded devices are its only usual "
			"users.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "BPF",
		.number = 39,
		.summary = "Load BPF programs and create BPF maps",
		.explanation =
			"Lets a process use the privileged operations of bpf(): loading most kinds "
			"of BPF programs and creating maps, and with PERFMON or NET_ADMIN "
			"attaching tracing and networking programs. "
			"BPF programs run inside the host kernel, can read kernel memory through "
			"helpers, and verifier bugs have repeatedly turned them into kernel code "
			"execution. "
			"Only observability, security and networking agents such as Cilium or "
			"Falco need it, and they run as privileged node agents.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide copies this entry's impact text from BLOCK_SUSPEND and calls BPF "
			"packet filtering only; the drop advice stands",
		.cis = cis_none,
	},
	{
		.name = "CHECKPOINT_RESTORE",
		.number = 40,
		.summary = "Checkpoint and restore processes: choose PIDs, read map_files",
		.explanation =
			"Added in Linux 5.9 so that checkpoint and restore tools such as CRIU need "
			"not hold SYS_ADMIN. "
			"It lets a process choose the PID of a new child (clone3 set_tid, "
			"ns_last_pid), read /proc/PID/map_files of other processes and use a few "
			"related interfaces. "
			"Ordinary workloads never need it; only tools that checkpoint or migrate "
			"containers do.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"not in the per-capability guide, which predates it; advice from capabilities(7)",
		.cis = cis_none,
	},
	{
		.name = "CHOWN",
		.number = 0,
		.summary = "Change the owner and group of any file",
		.explanation =
			"Lets a process change the user and group that own any file; without it a "
			"process may only move its own files to a group it belongs to. "
			"Inside a container this covers the image and every mounted volume, "
			"including hostPath mounts. "
			"Root-start images such as the official nginx, postgres and redis use it "
			"in their entrypoints to hand directories to a service user, and fail to "
			"start without it.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"not needed when the image runs as the user that owns its files, or fixes "
			"ownership at build time",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "DAC_OVERRIDE",
		.number = 1,
		.summary = "Bypass file read, write and execute permission checks",
		.explanation =
			"Lets a process read, write and execute any file whatever its mode bits "
			"and ACLs say (executing still needs at least one execute bit). "
			"In a container this makes root able to rewrite anything it can see, "
			"including files on mounted volumes that belong to other users. "
			"Some root-start images need it, such as postgres when its data directory "
			"already belongs to another user; running as the owning user removes the "
			"need.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"the per-capability guide says it changes ACLs; it bypasses permission checks altogether, "
			"hence high risk, but root-start entrypoints may rely on it",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "DAC_READ_SEARCH",
		.number = 2,
		.summary = "Bypass file read and directory search checks; open files by handle",
		.explanation =
			"Lets a process read any file and list or traverse any directory "
			"regardless of permissions, and call open_by_handle_at(), which opens a "
			"file from an inode handle. "
			"That call is the basis of the Shocker escape, where a container guesses "
			"handles to open files of the host filesystem outside its own mounts. "
			"Images sometimes ask for it to read keys owned by another user (nginx "
			"with host-owned 0600 TLS keys, some postgres setups); fixing the files' "
			"ownership is the safe answer.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide repeats DAC_OVERRIDE's text here; this is the read bypass plus "
			"open_by_handle_at, critical because of the Shocker escape",
		.cis = cis_none,
	},
	{
		.name = "FOWNER",
		.number = 3,
		.summary =
			"Bypass checks that require owning a file (chmod, utimes, ACLs, sticky bit)",
		.explanation =
			"Lets a process act as the owner of any file for operations that normally "
			"need ownership: changing its mode or ACL, setting its timestamps or "
			"extended attributes, and deleting other users' files in sticky "
			"directories such as /tmp. "
			"In a container it widens what root can tamper with on shared volumes. "
			"Root-start entrypoints that chmod directories they do not own, like "
			"postgres's, need it.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"the per-capability guide says drop outright; investigate first because root-start "
			"entrypoints chmod directories they do not own",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "FSETID",
		.number = 4,
		.summary = "Keep set-user-ID and set-group-ID bits when files are modified",
		.explanation =
			"Stops the kernel from clearing the set-user-ID and set-group-ID bits when "
			"a file is written or changes owner, and lets a process set the "
			"set-group-ID bit on a file whose group it is not in. "
			"It does not run anything with raised privileges by itself, but helps keep "
			"or plant set-ID programs. "
			"Package managers and build steps may use it; running services almost "
			"never do.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide says it lets a process run with set-ID privileges; it only keeps "
			"or sets those bits, and drop stands",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "IPC_LOCK",
		.number = 14,
		.summary = "Lock memory into RAM beyond RLIMIT_MEMLOCK (mlock, mlockall, SHM_LOCK)",
		.explanation =
			"Lets a process lock memory so that it is never swapped out, ignoring "
			"RLIMIT_MEMLOCK, and create huge-page shared memory segments. "
			"Locked pages still count against the container's memory cgroup, so the "
			"risk is pressure on the node's memory reclaim rather than an escape. "
			"Secret stores and databases lock memory to keep keys or heaps out of "
			"swap: HashiCorp Vault expects it, and Elasticsearch's "
			"bootstrap.memory_lock needs it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_KEEP_IF_NEEDED,
		.advice_note =
			"the per-capability guide lists IPC_LOCK twice, once saying drop (text copied from FSETID) "
			"and once saying keep; resolved as keep only for workloads that lock "
			"memory",
		.cis = cis_none,
	},
	{
		.name = "IPC_OWNER",
		.number = 15,
		.summary = "Bypass permission checks on System V IPC objects",
		.explanation =
			"Lets a process read, write and control System V message queues, semaphore "
			"sets and shared memory segments whatever their permissions. "
			"Each pod normally has its own IPC namespace, but with hostIPC it exposes "
			"the shared memory of host processes, which can hold sensitive data. "
			"Applications that own their IPC objects never need it.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "KILL",
		.number = 5,
		.summary = "Send signals to any process, bypassing user ID checks",
		.explanation =
			"Lets a process signal processes that run under other user IDs. "
			"The PID namespace limits this to the container's own processes, or to the "
			"pod or host with shareProcessNamespace or hostPID. "
			"A root supervisor whose workers switched to another user, such as the "
			"nginx master process, uses it to reload or stop them; a process can "
			"signal its own user's processes without it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"the per-capability guide says drop; investigate first because root supervisors signal "
			"workers that run as another user",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "LEASE",
		.number = 28,
		.summary = "Take file leases on files the process does not own",
		.explanation =
			"Lets a process place leases (fcntl F_SETLEASE), which warn it before "
			"another process opens or truncates a file, on files it does not own; "
			"leases on its own files need no capability. "
			"File servers such as Samba use leases to implement oplocks for their "
			"clients. "
			"Most applications never take leases at all, so dropping it costs them "
			"nothing.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_KEEP_IF_NEEDED,
		.advice_note =
			"the per-capability guide says never drop it; it is needed only for leases on files the "
			"process does not own, as Samba-style file servers take",
		.cis = cis_none,
	},
	{
		.name = "LINUX_IMMUTABLE",
		.number = 9,
		.summary = "Set or clear the immutable and append-only file attributes",
		.explanation =
			"Lets a process set or clear the immutable and append-only inode flags "
			"(chattr +i and +a). "
			"An immutable file cannot be changed or removed until the flag is cleared, "
			"so on a mounted volume this can make files impossible to update or "
			"delete, and attackers use it to protect what they leave behind. "
			"Applications do not set these flags in normal operation.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide says keep it so processes can lock files; file locks (flock, "
			"fcntl) need no capability, so drop",
		.cis = cis_none,
	},
	{
		.name = "MAC_ADMIN",
		.number = 33,
		.summary = "Change mandatory access control (LSM) policy and state",
		.explanation =
			"Lets a process configure a Linux Security Module: change Smack rules, "
			"load or replace AppArmor profiles, and set SELinux labels the loaded "
			"policy does not define. "
			"The confinement of this and every other container on the node comes from "
			"these modules, so changing their policy can undo it. "
			"Only node-level security agents that manage LSM policy need it.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "MAC_OVERRIDE",
		.number = 32,
		.summary = "Override mandatory access control decisions (Smack)",
		.explanation =
			"Lets a process bypass mandatory access control checks; in the mainline "
			"kernel it is implemented for the Smack security module. "
			"Where Smack is in use it defeats the policy meant to confine the "
			"container. "
			"No ordinary workload needs it.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "MKNOD",
		.number = 27,
		.summary = "Create device special files with mknod",
		.explanation =
			"Lets a process create block and character device nodes; FIFOs and Unix "
			"sockets need no capability. "
			"The device cgroup still decides which devices may be opened, but a node "
			"for an allowed or misconfigured device, such as a host disk, gives raw "
			"access to it. "
			"Devices a workload needs should come from the runtime or a device plugin, "
			"so images rarely need to create nodes themselves.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "NET_ADMIN",
		.number = 12,
		.summary =
			"Administer networking: interfaces, routes, firewall rules, socket options",
		.explanation =
			"Lets a process configure interfaces, addresses and routes, change "
			"iptables or nftables rules, enable promiscuous mode and set privileged "
			"socket options. "
			"In the pod's own network namespace it can intercept or redirect the pod's "
			"traffic; with hostNetwork it reconfigures the node, and it exposes a "
			"large body of kernel networking code to attack. "
			"Network plugins, service-mesh init containers and VPN sidecars need it; "
			"application containers do not.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "NET_BIND_SERVICE",
		.number = 10,
		.summary = "Bind sockets to privileged ports (below 1024)",
		.explanation =
			"Lets a process bind TCP and UDP sockets to ports below "
			"net.ipv4.ip_unprivileged_port_start, 1024 by default. "
			"It grants nothing but the choice of port, which is why it is the only "
			"capability PSS restricted allows. "
			"Docker 20.10 and later and containerd 2.0 set that sysctl to 0 in "
			"containers, so it is mainly needed on runtimes that do not, such as "
			"CRI-O.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_KEEP_IF_NEEDED,
		.advice_note =
			"images whose binary carries it as a file capability (caddy, for example) "
			"need it even on high ports, or exec fails",
		.runtime_default = true,
		.pss_baseline = true,
		.pss_restricted = true,
		.cis = cis_docker,
	},
	{
		.name = "NET_BROADCAST",
		.number = 11,
		.summary = "Socket broadcasts and multicast listening (not checked by the kernel)",
		.explanation =
			"Meant to allow socket broadcasts and listening to multicasts, but no "
			"kernel code checks it: broadcasting needs only the SO_BROADCAST socket "
			"option and joining multicast groups needs no capability. "
			"Granting or dropping it changes nothing, and listing it in an add list "
			"only adds noise to a review.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide lists it twice, both times saying keep for multicast; the kernel "
			"never checks it, so there is nothing to keep",
		.cis = cis_none,
	},
	{
		.name = "NET_RAW",
		.number = 13,
		.summary =
			"Open raw and packet sockets; bind to any address for transparent proxying",
		.explanation =
			"Lets a process open RAW and PACKET sockets, so it can craft arbitrary "
			"packets (spoofed IP, ARP or DNS answers) and capture traffic on the pod's "
			"interfaces. "
			"It is in the runtime default set mainly so that ping works, yet it "
			"enables attacks on neighbouring pods and has exposed kernel bugs such as "
			"CVE-2020-14386. "
			"Keep it only for network diagnostics and tools that really need raw "
			"packets; current kernels let ping use ICMP sockets when "
			"net.ipv4.ping_group_range allows it.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide keeps it in development for diagnostics; drop it everywhere and "
			"add it back only to a debugging container that needs it",
		.runtime_default = true,
		.cis = cis_net_raw,
	},
	{
		.name = "PERFMON",
		.number = 38,
		.summary = "Use performance monitoring: perf_event_open and BPF tracing",
		.explanation =
			"Added in Linux 5.8 to split performance monitoring out of SYS_ADMIN: it "
			"allows perf_event_open() beyond the perf_event_paranoid limits and, with "
			"BPF, loading tracing programs. "
			"Host-wide performance events show what other processes and the kernel are "
			"doing, including kernel addresses that help kernel exploits. "
			"Profilers and observability agents need it; applications do not.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SETFCAP",
		.number = 31,
		.summary = "Set capabilities on executable files",
		.explanation =
			"Lets a process attach capabilities to files (the security.capability "
			"extended attribute), so that any process that later runs the file gains "
			"them, up to the container's bounding set. "
			"It also governs mapping user ID 0 when a process sets up a user "
			"namespace. "
			"It is mostly needed at image build time, for example by setcap in a "
			"Dockerfile, not in running pods.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "SETGID",
		.number = 6,
		.summary = "Change group IDs and the supplementary group list",
		.explanation =
			"Lets a process set arbitrary real, effective and saved group IDs, change "
			"its supplementary groups, and forge group IDs passed over Unix sockets. "
			"Root-start images use it to step down to a service group before running "
			"the server (gosu, su-exec, nginx workers), and fail with errors such as "
			"'setgroups: Operation not permitted' without it. "
			"Images that start as their service user do not need it.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"the per-capability guide says drop; investigate first because root-start entrypoints "
			"(nginx, redis, postgres) switch groups with it",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "SETPCAP",
		.number = 8,
		.summary = "Modify capability sets: inheritable set, bounding set, securebits",
		.explanation =
			"Lets a process add any capability from its bounding set to its "
			"inheritable set, remove capabilities from its bounding set, and change "
			"its securebits flags. "
			"It is how a process gives up capabilities for good before running another "
			"program, and it cannot grant anything outside the bounding set. "
			"Few images need it: those that drop privileges with setpriv or capsh at "
			"startup.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "SETUID",
		.number = 7,
		.summary = "Change user IDs",
		.explanation =
			"Lets a process set arbitrary real, effective and saved user IDs, and "
			"forge user IDs passed over Unix sockets. "
			"Root-start images use it to step down to a service user before running "
			"the server (gosu, su-exec, nginx, postgres), and fail at that point "
			"without it. "
			"Images that start as their service user (runAsUser) do not need it.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_INVESTIGATE,
		.advice_note =
			"the per-capability guide lists SETUID twice with the same drop advice; investigate first "
			"because root-start entrypoints switch user with it",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "SYSLOG",
		.number = 34,
		.summary = "Privileged kernel log operations; see kernel addresses",
		.explanation =
			"Lets a process read and clear the kernel log buffer even when "
			"dmesg_restrict is set and change the console log level, and it reveals "
			"kernel addresses in /proc files when kptr_restrict is 1. "
			"The kernel log is not namespaced, so this reads messages from the whole "
			"host, and leaked kernel addresses defeat KASLR for kernel exploits. "
			"Log collectors that read the kernel buffer are the only common users.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_ADMIN",
		.number = 21,
		.summary = "Catch-all system administration, including mount and namespaces",
		.explanation =
			"Covers a long list of privileged operations: mount and umount, "
			"sethostname, creating namespaces, quotactl, swapon, keyctl, many device "
			"ioctls and more. "
			"With it a container can mount filesystems and cgroups, the basis of known "
			"escapes such as the cgroup v1 release_agent attack, so it is close to "
			"privileged mode. "
			"FUSE filesystems and in-container image builders often ask for it; FUSE "
			"device plugins and rootless builders avoid it.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_BOOT",
		.number = 22,
		.summary = "Reboot the system and load a new kernel with kexec",
		.explanation =
			"Lets a process call reboot() and load a new kernel for later execution "
			"with kexec_load(). "
			"In a container's own PID namespace reboot only ends that namespace, but "
			"kexec is not namespaced: loading a kernel of the attacker's choice hands "
			"over the whole host. "
			"No workload running in a pod needs it.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_CHROOT",
		.number = 18,
		.summary = "Change the root directory with chroot",
		.explanation =
			"Lets a process call chroot(), and together with SYS_ADMIN enter other "
			"mount namespaces with setns(). "
			"A container is already confined by its mount namespace, so chroot alone "
			"does not let a process out, although it is a step in escapes that also "
			"need other capabilities or a leaked directory descriptor. "
			"Daemons that jail themselves, such as sshd (privilege separation), "
			"postfix and BIND, and some build tools need it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_KEEP_IF_NEEDED,
		.advice_note =
			"the per-capability guide says drop because it lets a process switch mount points; chroot "
			"cannot leave the container's mount namespace, and some daemons need it",
		.runtime_default = true,
		.pss_baseline = true,
		.cis = cis_docker,
	},
	{
		.name = "SYS_MODULE",
		.number = 16,
		.summary = "Load and unload kernel modules",
		.explanation =
			"Lets a process insert and remove kernel modules (init_module, "
			"finit_module, delete_module). "
			"A module runs as part of the host kernel, so this is immediate and "
			"complete host compromise. "
			"Even drivers a workload depends on should be loaded by the node, not from "
			"a pod.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_NICE",
		.number = 23,
		.summary = "Raise priority, use real-time scheduling, set CPU and NUMA placement",
		.explanation =
			"Lets a process lower nice values, use real-time scheduling policies, set "
			"the CPU affinity and I/O priority of other processes, and move memory "
			"between NUMA nodes. "
			"A runaway real-time thread can starve other containers and system daemons "
			"on the same CPUs despite their CPU shares. "
			"Latency-sensitive workloads (audio, telecom, some databases) may need it; "
			"ordinary services do not.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_PACCT",
		.number = 20,
		.summary = "Switch process accounting on or off with acct",
		.explanation =
			"Lets a process call acct() to start or stop process accounting, which "
			"appends a record for every exiting process to a file the caller names. "
			"The kernel keeps accounting per PID namespace, so from a container it "
			"mainly allows filling storage or turning off accounting someone relies "
			"on. "
			"No application needs it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_PTRACE",
		.number = 19,
		.summary = "Trace and inspect any process: ptrace, process_vm_readv, /proc/PID/mem",
		.explanation =
			"Lets a process attach to other processes with ptrace(), read and write "
			"their memory, and inspect them through process_vm_readv() and /proc, "
			"bypassing the same-user and Yama restrictions. "
			"Within the container this already means stealing secrets from "
			"neighbouring processes; with hostPID or a shared process namespace it "
			"reaches host or sidecar processes, a direct escape route. "
			"Debuggers, profilers and some APM agents use it; run them in short-lived "
			"debug containers instead of granting it to services.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_RAWIO",
		.number = 17,
		.summary = "Raw hardware access: I/O ports, /dev/mem, MSRs, raw block commands",
		.explanation =
			"Lets a process use iopl() and ioperm() to reach hardware I/O ports, open "
			"/dev/mem, /dev/kmem and /proc/kcore, access CPU model-specific registers, "
			"and send raw commands to block and SCSI devices. "
			"These paths go around the kernel's own checks, so they can read or "
			"corrupt host memory and firmware state. "
			"Only hardware management and low-level disk tools need it, and they "
			"belong on the host.",
		.risk = CAP_RISK_CRITICAL,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_RESOURCE",
		.number = 24,
		.summary = "Override resource limits, disk quotas and reserved filesystem space",
		.explanation =
			"Lets a process raise its hard resource limits, exceed disk quotas, use "
			"the blocks ext4 reserves for root, raise message queue and pipe size "
			"limits, and lower oom_score_adj. "
			"Several of these limits protect the node rather than the container, so "
			"one workload can exhaust resources others depend on. "
			"Some databases raise limits such as open files at startup; set those "
			"through the runtime instead.",
		.risk = CAP_RISK_MEDIUM,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_TIME",
		.number = 25,
		.summary = "Set the system clock and the hardware real-time clock",
		.explanation =
			"Lets a process set the system time (settimeofday, clock_settime, "
			"adjtimex) and the hardware real-time clock. "
			"The clock is shared by every container on the node (time namespaces cover "
			"only the monotonic and boot clocks), so changing it breaks TLS checks, "
			"token expiry, logs and leader election across the node. "
			"Only NTP or PTP daemons that manage the node's clock need it, and they "
			"run as node agents.",
		.risk = CAP_RISK_HIGH,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "SYS_TTY_CONFIG",
		.number = 26,
		.summary = "Configure virtual terminals and call vhangup",
		.explanation =
			"Lets a process call vhangup() and use privileged ioctls on virtual "
			"consoles, such as changing the keyboard mapping. "
			"Containers are not normally given the host's console devices, so the risk "
			"depends on devices exposed to the pod. "
			"Applications never need it.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.cis = cis_none,
	},
	{
		.name = "WAKE_ALARM",
		.number = 35,
		.summary = "Set timers that wake the system from suspend",
		.explanation =
			"Lets a process arm CLOCK_REALTIME_ALARM and CLOCK_BOOTTIME_ALARM timers, "
			"which wake a suspended system when they expire. "
			"Servers that run containers do not suspend, so it has no use there and "
			"only widens kernel surface. "
			"Power-management services on mobile or embedded devices are its intended "
			"users.",
		.risk = CAP_RISK_LOW,
		.advice = CAP_ADVICE_DROP,
		.advice_note =
			"the per-capability guide says drop but reasons that kernel timers should be reachable "
			"from containers; ordinary timers need no capability, so drop",
		.cis = cis_none,
	},
};

/* Longer than any name in the table, "CHECKPOINT_RESTORE" included. */
#define MAX_NAME 32

size_t caps_count(void)
{
	return ARRAY_SIZE(caps);
}

const struct cap_info *caps_at(size_t i)
{
	return i < ARRAY_SIZE(caps) ? &caps[i] : NULL;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

const struct cap_info *caps_lookup(const char *name)
{
	char key[MAX_NAME];
	size_t n, lo = 0, hi = ARRAY_SIZE(caps);

	if (!name)
		return NULL;
	if (ascii_upper(name[0]) == 'C' && ascii_upper(name[1]) == 'A' &&
	    ascii_upper(name[2]) == 'P' && name[3] == '_')
		name += 4;
	for (n = 0; name[n]; n++) {
		if (n + 1 >= sizeof(key))
			return NULL;
		key[n] = ascii_upper(name[n]);
	}
	key[n] = '\0';
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, caps[mid].name);

		if (!c)
			return &caps[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *caps_risk_name(enum cap_risk risk)
{
	switch (risk) {
	case CAP_RISK_LOW:
		return "low";
	case CAP_RISK_MEDIUM:
		return "medium";
	case CAP_RISK_HIGH:
		return "high";
	case CAP_RISK_CRITICAL:
		return "critical";
	}
	return "unknown";
}

const char *caps_advice_name(enum cap_advice advice)
{
	switch (advice) {
	case CAP_ADVICE_DROP:
		return "drop";
	case CAP_ADVICE_KEEP_IF_NEEDED:
		return "keep if needed";
	case CAP_ADVICE_INVESTIGATE:
		return "investigate first";
	}
	return "unknown";
}
