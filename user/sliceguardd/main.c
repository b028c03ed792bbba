// SPDX-License-Identifier: GPL-2.0
/*
 * sliceguardd: the sliceguard agent.
 *
 * One thread, one poll loop over: signals, nlctrl notifications (module
 * loaded/unloaded), the module's config group (committed generations),
 * rtnetlink link events (interfaces appearing/disappearing) and, in
 * declarative mode, inotify on the policy file's directory. Events only set
 * flags; the loop then does the work in a fixed order, so that a burst of
 * events costs one dump and one apply.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <netlink/netlink.h>

#include "agent.h"
#include "dp.h"
#include "log.h"

#define DEFAULT_PIN_DIR	"/sys/fs/bpf/sliceguard"
/* After a failure that no event will repair (EBUSY transaction, apply error). */
#define RETRY_MS	1000

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sliceguardd [OPTIONS]\n"
		"       sliceguardd --detach [-p DIR]\n"
		"\n"
		"Keep the sliceguard data path in step with the sliceguard module's policy.\n"
		"\n"
		"  -p, --pin-dir DIR   bpffs directory for programs, links and maps\n"
		"                      (default " DEFAULT_PIN_DIR ")\n"
		"  -f, --policy FILE   declarative mode: make the module's policy equal to\n"
		"                      FILE (slicectl batch format) now and whenever it changes\n"
		"      --detach        detach everything the agent attached, unpin, and exit\n"
		"  -v, --verbose       more messages (twice: debug)\n"
		"  -q, --quiet         errors only\n"
		"  -h, --help          this text\n"
		"  -V, --version       the release, and exit\n");
}

static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Return the signal to act on (SIGTERM, SIGINT, SIGHUP) or 0. */
static int read_signals(int fd)
{
	struct signalfd_siginfo si;
	int sig = 0;

	while (read(fd, &si, sizeof(si)) == sizeof(si))
		if (!sig || si.ssi_signo != SIGHUP)
			sig = si.ssi_signo;
	return sig;
}

/*
 * Watch the directory rather than the file: configuration management
 * replaces files by rename, which an inotify watch on the old inode would
 * never report.
 */
static int open_policy_watch(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (inotify_add_watch(fd, dirname(dir),
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static bool read_policy_watch(int fd, const char *path)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	char copy[PATH_MAX];
	const char *base;
	bool changed = false;
	ssize_t len;

	snprintf(copy, sizeof(copy), "%s", path);
	base = basename(copy);
	while ((len = read(fd, buf, sizeof(buf))) > 0) {
		const struct inotify_event *ev;
		char *p;

		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = true;
				continue;
			}
			if (!ev->len || strcmp(ev->name, base))
				continue;
			if (ev->mask & IN_DELETE)
				log_warn("%s was removed; keeping the policy it last described",
					 path);
			else
				changed = true;
		}
	}
	return changed;
}

static void connect_family(struct agent *a)
{
	int err = genl_connect_family(a);

	if (err == -ENOENT) {
		log_notice("sliceguard module not loaded (generic netlink family \"%s\" not found); waiting for it",
			   SLICEGUARD_FAMILY_NAME);
		return;
	}
	if (err)
		return;
	log_notice("connected to the sliceguard module (family id %d)", a->family);
	a->synced = false;
	a->applied_from_module = false;
	a->resync = true;
	if (a->policy_file)
		a->file_pending = true;
}

static void family_gone(struct agent *a)
{
	genl_disconnect_family(a);
	a->synced = false;
	a->applied_from_module = false;
	log_warn("sliceguard module gone; the data path keeps enforcing generation %llu",
		 (unsigned long long)a->applied.generation);
}

/* Handle what the events of one poll round asked for, in dependency order. */
static int work(struct agent *a)
{
	int err = 0;

	if (a->family_removed && a->family) {
		a->family_removed = false;
		family_gone(a);
	}
	if (a->family_added && !a->family) {
		a->family_added = false;
		connect_family(a);
	}
	a->family_added = a->family_removed = false;

	/*
	 * Before any apply: a rule naming the host must find its addresses,
	 * and a rule to "any" must not find them missing. Until they were
	 * written once, nothing is applied (a fresh data path drops all).
	 */
	if (a->host_changed && host_reconcile(a))
		err = -EAGAIN;
	if (!a->host_synced)
		return err;

	if (a->file_changed) {
		a->file_changed = false;
		/* A broken file is logged and ignored until it changes again. */
		if (!declare_load(a))
			a->file_pending = true;
	}
	if (a->family && a->file_pending)
		a->file_pending = declare_reconcile(a) == -EAGAIN;

	if (a->family && (a->resync || !a->synced ||
			  (a->ntf_seen && a->ntf_gen > a->synced_gen))) {
		int ret = sync_from_module(a);

		if (ret == -ENODEV) {
			family_gone(a);
		} else if (ret) {
			err = ret;
		} else {
			a->resync = false;
			a->ntf_seen = false;
		}
	}

	if (a->links_changed) {
		a->links_changed = false;
		links_reconcile(a);
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "policy", required_argument, NULL, 'f' },
		{ "detach", no_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	struct agent a = { .pin_dir = DEFAULT_PIN_DIR, .inotify_fd = -1, .host_changed = true };
	int level = LOG_NOTICE, sig_fd, rtnl_fd, opt, err;
	bool detach = false;

	while ((opt = getopt_long(argc, argv, "p:f:vqhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			a.pin_dir = optarg;
			break;
		case 'f':
			a.policy_file = optarg;
			break;
		case 'D':
			detach = true;
			break;
		case 'v':
			if (level < LOG_DEBUG)
				level++;
			break;
		case 'q':
			level = LOG_ERR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("sliceguardd (sliceguard) %s\n", SG_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: unknown argument \"%s\"\n", argv[optind]);
		return 2;
	}
	if (detach && a.policy_file) {
		fprintf(stderr, "Error: --detach takes no --policy\n");
		return 2;
	}
	log_init(level);
	sg_policy_init(&a.applied);
	sg_policy_init(&a.want);

	if (detach)
		return dp_detach_all(&a) ? 1 : 0;

	if (a.policy_file) {
		/* A broken file at start is an error the operator must see now. */
		err = declare_load(&a);
		if (err)
			return 1;
		a.inotify_fd = open_policy_watch(a.policy_file);
		if (a.inotify_fd < 0) {
			log_err("cannot watch %s: %s", a.policy_file,
				strerror(-a.inotify_fd));
			return 1;
		}
	}

	sig_fd = open_signals();
	rtnl_fd = rtnl_open();
	if (sig_fd < 0 || rtnl_fd < 0) {
		log_err("cannot open signalfd or rtnetlink socket: %s",
			strerror(errno));
		return 1;
	}
	if (dp_start(&a))
		return 1;
	if (genl_open(&a))
		return 1;
	connect_family(&a);

	for (;;) {
		struct pollfd pfd[5];
		int timeout, sig;

		/* First round: the initial sync, before any event. */
		err = work(&a);
		timeout = err || (a.family && a.file_pending) ? RETRY_MS : -1;
		pfd[0] = (struct pollfd){ .fd = sig_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = nl_socket_get_fd(a.ctrl_sk), .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = rtnl_fd, .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = a.inotify_fd, .events = POLLIN };
		pfd[4] = (struct pollfd){ .fd = a.mc_sk ? nl_socket_get_fd(a.mc_sk) : -1,
					  .events = POLLIN };
		if (poll(pfd, 5, timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents) {
			sig = read_signals(sig_fd);
			if (sig == SIGHUP) {
				log_notice("SIGHUP: full resync");
				a.resync = true;
				a.links_changed = true;
				a.host_changed = true;
				if (a.policy_file)
					a.file_changed = true;
			} else if (sig) {
				if (sg_dp_generation(a.dp))
					log_notice("%s: exiting; the data path keeps enforcing generation %llu",
						   strsignal(sig),
						   (unsigned long long)sg_dp_generation(a.dp));
				else
					log_notice("%s: exiting; no generation applied, attached interfaces drop",
						   strsignal(sig));
				break;
			}
		}
		if (pfd[1].revents)
			genl_drain_ctrl(&a);
		if (pfd[2].revents) {
			unsigned int changed = rtnl_drain(rtnl_fd);

			if (changed & RTNL_LINKS)
				a.links_changed = true;
			if (changed & RTNL_HOST)
				a.host_changed = true;
		}
		if (pfd[3].revents && read_policy_watch(a.inotify_fd, a.policy_file))
			a.file_changed = true;
		if (pfd[4].revents && a.mc_sk)
			genl_drain_config(&a);
	}
	dp_stop(&a);
	return 0;
}
