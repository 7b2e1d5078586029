#include "capfix/ruledoc.h"
#include "capfix/sbuf.h"

static const struct {
	const char *id, *why;
} pages[] = {
	{ "CF001",
	  "Container runtimes grant 14 capabilities by default (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, "
	  "KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, "
	  "SETFCAP). Most workloads need none or one or two of them; each one left is a step an "
	  "attacker in the container can take (forge packets, read any file as root, change "
	  "ownership, create devices). Dropping ALL and adding back what is needed makes the "
	  "remaining set explicit and reviewable; Pod Security Standards restricted requires it." },
	{ "CF002",
	  "NET_RAW lets a process open raw and packet sockets: spoof and sniff traffic on the pod "
	  "network, and it has been the entry point of kernel exploits (CVE-2020-14386). It is in "
	  "the runtime default set, so a container keeps it unless it drops it; ping works without "
	  "it on current kernels (ICMP sockets)." },
	{ "CF003",
	  "Every added capability widens what a compromised process can do. Each entry must be "
	  "something the image really needs as it runs; capfix fix keeps an add only with evidence "
	  "(declared, a port below 1024, an image profile, a command, configuration)." },
	{ "CF004",
	  "The Pod Security Standards baseline level allows adding only the runtime default "
	  "capabilities (without NET_RAW); a pod adding anything else is rejected by a namespace "
	  "that enforces baseline, and holds capabilities that amount to host access (SYS_ADMIN, "
	  "SYS_MODULE, NET_ADMIN, SYS_PTRACE...)." },
	{ "CF005",
	  "The restricted level, the target for most workloads, allows adding NET_BIND_SERVICE only. "
	  "A pod adding more cannot run in a namespace that enforces restricted." },
	{ "CF006",
	  "A privileged container has every capability, every device and no seccomp or AppArmor "
	  "confinement: it is root on the node. Capability lists do not restrict it at all." },
	{ "CF007",
	  "Pod Security Admission compares capability names exactly: `all`, `CAP_ALL` or "
	  "`cap_net_raw` are not `ALL` and `NET_RAW`, so a pod that means well is still rejected "
	  "(or a drop that looks right drops nothing under some runtimes)." },
	{ "CF008",
	  "Kubernetes grants no ambient capabilities: an add list reaches a non-root process only "
	  "through file capabilities of its binary. An add without them does nothing but suggest a "
	  "need that is not there (and grants it if the container ever runs as root)." },
	{ "CF009",
	  "A runtime trace records what the workload asked of the kernel while it ran. An added "
	  "capability the trace never saw checked is likely over-privilege: one more power for an "
	  "attacker, with no use. Check that the trace exercised every code path first." },
	{ "CF010",
	  "The container drops ALL, and the trace shows the kernel granting it a capability that "
	  "is not in its add list: under drop ALL that check fails, so the code path that needed "
	  "it breaks (a file it cannot chown, a user it cannot switch to, a port it cannot bind)." },
	{ "CF011",
	  "A binary with effective file capabilities (ping with NET_RAW, an image's own server with "
	  "NET_BIND_SERVICE) gets them at execve() only if they are in the container's bounding set. "
	  "Under drop ALL without them in the add list, execve() fails with EPERM: the container does "
	  "not start, as root or not." },
	{ "CF101",
	  "PodSecurityPolicy (Kubernetes before 1.25) must require dropping NET_RAW or ALL somewhere, "
	  "or every pod keeps NET_RAW." },
	{ "CF102",
	  "allowedCapabilities: ['*'] lets any pod that may use the policy add any capability, "
	  "SYS_ADMIN included." },
	{ "CF103",
	  "defaultAddCapabilities adds capabilities to pods that did not ask for them; needs belong "
	  "in the workloads that have them." },
	{ "CF104", "Without requiredDropCapabilities: [ALL] pods keep the runtime default set." },
	{ "CF201",
	  "Docker grants its default set; a container or compose service adding more (NET_ADMIN, "
	  "SYS_ADMIN...) gets host-level powers. Only what the image needs should be added, after "
	  "--cap-drop=all." },
	{ "CF202", "NET_RAW is in Docker's default set: as for Kubernetes (CF002), drop it." },
	{ "CF203",
	  "--privileged gives every capability and every device: the container is root on the host." },
	{ "CF204",
	  "A compose service keeps Docker's default capabilities unless it sets cap_drop: [ALL]." },
	{ "CF301",
	  "The pod breaks a Pod Security Standards baseline check (host namespaces, hostPath, "
	  "privileged, host ports, AppArmor, SELinux, /proc mount, seccomp, sysctls): a namespace "
	  "enforcing baseline rejects it, and each check is a known path to the host." },
	{ "CF302",
	  "The pod breaks a Pod Security Standards restricted check (privilege escalation, "
	  "non-root, seccomp, capabilities, volume types): a namespace enforcing restricted rejects "
	  "it." },
};

const char *ruledoc_why(const char *id)
{
	size_t i;

	for (i = 0; id && i < ARRAY_SIZE(pages); i++)
		if (!strcmp(pages[i].id, id))
			return pages[i].why;
	return NULL;
}

void ruledoc_suppress(const char *id, struct sbuf *out)
{
	bool compose = id && !strncmp(id, "CF2", 3);

	if (compose) {
		sbuf_addf(out, "on the compose service: x-capfix: {ignore: \"%s: reason\"}\n", id);
	} else {
		sbuf_addf(
			out,
			"on the object or its pod template: annotation capfix.io/ignore: \"%s: reason\"\n",
			id);
		sbuf_addf(
			out,
			"for one container: annotation capfix.io/ignore.<container>: \"%s: reason\"\n",
			id);
	}
	sbuf_addf(
		out,
		"in .capfix.yaml: ignore: [{rules: [%s], path: vendor, reason: \"...\"}] (globs as in rules:)\n",
		id);
	sbuf_addstr(
		out,
		"or accept what exists: capfix scan --write-baseline FILE, then --baseline FILE\n");
	sbuf_addstr(out, "a reason is required; --no-ignores shows every finding\n");
}
