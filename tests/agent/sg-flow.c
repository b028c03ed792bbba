// SPDX-License-Identifier: GPL-2.0
/*
 * sg-flow: steady UDP streams for the agent tests, counted at both ends.
 *
 *   sg-flow send [-s SRC] [-P SPORT] -r PPS -d SECONDS DST PORT...
 *	sends PPS datagrams per second in total, round robin over the
 *	ports, and prints [{"port":P,"sent":N},...] when done (or on
 *	SIGTERM). With -P, datagram n leaves from source port SPORT + n, so
 *	every datagram is a flow of its own and is decided by the rules of
 *	the generation it meets, not by flow state.
 *   sg-flow recv [-a ADDR] [-R READYFILE] [-c COUNTFILE] PORT...
 *	counts datagrams per (port, skb mark) until SIGTERM/SIGINT and then
 *	prints [{"port":P,"mark":M,"packets":N},...]. With -c, COUNTFILE
 *	always holds "PACKETS FIRST_NS LAST_NS": the total so far and the
 *	CLOCK_REALTIME arrival times of the first and the latest datagram,
 *	so a test can watch traffic start and stop while it runs.
 *
 * The receiver reads each datagram's skb->mark (SO_RCVMARK) so a test can
 * tell which generation of policy tagged a packet that passed: a policy swap
 * test changes a slice's mark together with the ports it may use, and any
 * (mark, port) pair of two different generations is a packet decided by a
 * mix of policies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#ifndef SO_RCVMARK
#define SO_RCVMARK 75
#endif

#define MAX_PORTS	16
#define MAX_MARKS	16

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sg-flow send [-s SRC] [-P SPORT] -r PPS -d SECONDS DST PORT...\n"
		"       sg-flow recv [-a ADDR] [-R READYFILE] [-c COUNTFILE] PORT...\n");
	exit(2);
}

static uint16_t parse_port(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || v < 1 || v > 65535) {
		fprintf(stderr, "sg-flow: bad port \"%s\"\n", arg);
		exit(2);
	}
	return v;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* Replace path's contents atomically, so a reader never sees half a line. */
static void write_counts(const char *path, uint64_t total, uint64_t first,
			 uint64_t last)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%llu %llu %llu\n", (unsigned long long)total,
		(unsigned long long)first, (unsigned long long)last);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static int do_send(int argc, char **argv)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	uint64_t sent[MAX_PORTS] = { 0 };
	uint16_t ports[MAX_PORTS];
	uint64_t start, interval, seq;
	double pps = 0, seconds = 0;
	bool have_src = false;
	long sport = 0;
	int opt, fd, n, i;

	while ((opt = getopt(argc, argv, "s:P:r:d:")) != -1) {
		switch (opt) {
		case 'P':
			sport = parse_port(optarg);
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &src.sin_addr) != 1)
				usage();
			have_src = true;
			break;
		case 'r':
			pps = atof(optarg);
			break;
		case 'd':
			seconds = atof(optarg);
			break;
		default:
			usage();
		}
	}
	n = argc - optind - 1;
	if (pps <= 0 || seconds <= 0 || n < 1 || n > MAX_PORTS ||
	    inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		usage();
	for (i = 0; i < n; i++)
		ports[i] = parse_port(argv[optind + 1 + i]);

	if (sport && sport + pps * seconds > 65536) {
		fprintf(stderr, "sg-flow: -P %ld leaves too few source ports\n", sport);
		return 2;
	}
	fd = -1;
	if (!sport) {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd < 0 || (have_src && bind(fd, (struct sockaddr *)&src, sizeof(src)))) {
			perror("sg-flow: socket");
			return 1;
		}
	}
	interval = 1e9 / pps;
	start = now_ns();
	for (seq = 0; !stop && seq < (uint64_t)(pps * seconds); seq++) {
		uint64_t due = start + seq * interval;
		uint64_t t = now_ns();
		char payload[64];
		int len;

		if (t < due) {
			struct timespec ts = {
				.tv_sec = (due - t) / 1000000000ull,
				.tv_nsec = (due - t) % 1000000000ull,
			};

			nanosleep(&ts, NULL);
		}
		i = seq % n;
		dst.sin_port = htons(ports[i]);
		len = snprintf(payload, sizeof(payload), "sg-flow %llu",
			       (unsigned long long)seq);
		if (sport) {
			src.sin_port = htons(sport + seq);
			fd = socket(AF_INET, SOCK_DGRAM, 0);
			if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src))) {
				fprintf(stderr, "sg-flow: source port %llu: %s\n",
					(unsigned long long)(sport + seq), strerror(errno));
				if (fd >= 0)
					close(fd);
				continue;
			}
		}
		if (sendto(fd, payload, len, 0, (struct sockaddr *)&dst,
			   sizeof(dst)) == len)
			sent[i]++;
		else
			fprintf(stderr, "sg-flow: send to port %u: %s\n",
				ports[i], strerror(errno));
		if (sport)
			close(fd);
	}
	printf("[");
	for (i = 0; i < n; i++)
		printf("%s{\"port\":%u,\"sent\":%llu}", i ? "," : "", ports[i],
		       (unsigned long long)sent[i]);
	printf("]\n");
	return 0;
}

struct mark_count {
	uint32_t mark;
	uint64_t packets;
};

static int do_recv(int argc, char **argv)
{
	struct mark_count counts[MAX_PORTS][MAX_MARKS] = { 0 };
	struct sockaddr_in addr = { .sin_family = AF_INET };
	unsigned int n_marks[MAX_PORTS] = { 0 };
	struct pollfd pfd[MAX_PORTS];
	uint16_t ports[MAX_PORTS];
	uint64_t total = 0, first_ns = 0, last_ns = 0;
	const char *ready = NULL, *countfile = NULL;
	int opt, n, i, one = 1;
	bool first = true;

	while ((opt = getopt(argc, argv, "a:R:c:")) != -1) {
		switch (opt) {
		case 'c':
			countfile = optarg;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr.sin_addr) != 1)
				usage();
			break;
		case 'R':
			ready = optarg;
			break;
		default:
			usage();
		}
	}
	n = argc - optind;
	if (n < 1 || n > MAX_PORTS)
		usage();
	for (i = 0; i < n; i++) {
		ports[i] = parse_port(argv[optind + i]);
		pfd[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		pfd[i].events = POLLIN;
		addr.sin_port = htons(ports[i]);
		if (pfd[i].fd < 0 ||
		    setsockopt(pfd[i].fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)) ||
		    bind(pfd[i].fd, (struct sockaddr *)&addr, sizeof(addr))) {
			fprintf(stderr, "sg-flow: port %u: %s\n", ports[i],
				strerror(errno));
			return 1;
		}
	}
	if (countfile)
		write_counts(countfile, 0, 0, 0);
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0) {
			perror("sg-flow: ready file");
			return 1;
		}
		close(fd);
	}

	while (!stop) {
		uint64_t before = total;

		if (poll(pfd, n, 200) < 0 && errno != EINTR) {
			perror("sg-flow: poll");
			return 1;
		}
		for (i = 0; i < n; i++) {
			char cbuf[CMSG_SPACE(sizeof(uint32_t))];
			char buf[2048];
			struct iovec iov = { buf, sizeof(buf) };
			struct msghdr msg = {
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
			};
			struct cmsghdr *cmsg;
			uint32_t mark = 0;
			unsigned int m;

			if (!(pfd[i].revents & POLLIN))
				continue;
			while (recvmsg(pfd[i].fd, &msg, 0) >= 0) {
				for (cmsg = CMSG_FIRSTHDR(&msg); cmsg;
				     cmsg = CMSG_NXTHDR(&msg, cmsg))
					/* SO_RCVMARK delivers the mark as SO_MARK. */
					if (cmsg->cmsg_level == SOL_SOCKET &&
					    cmsg->cmsg_type == SO_MARK)
						memcpy(&mark, CMSG_DATA(cmsg), sizeof(mark));
				for (m = 0; m < n_marks[i]; m++)
					if (counts[i][m].mark == mark)
						break;
				if (m == n_marks[i]) {
					if (m == MAX_MARKS) {
						fprintf(stderr, "sg-flow: too many marks\n");
						return 1;
					}
					counts[i][n_marks[i]++].mark = mark;
				}
				counts[i][m].packets++;
				last_ns = clock_ns(CLOCK_REALTIME);
				if (!total++)
					first_ns = last_ns;
				msg.msg_controllen = sizeof(cbuf);
				mark = 0;
			}
		}
		if (countfile && total != before)
			write_counts(countfile, total, first_ns, last_ns);
	}
	printf("[");
	for (i = 0; i < n; i++) {
		unsigned int m;

		for (m = 0; m < n_marks[i]; m++) {
			printf("%s{\"port\":%u,\"mark\":%u,\"packets\":%llu}",
			       first ? "" : ",", ports[i], counts[i][m].mark,
			       (unsigned long long)counts[i][m].packets);
			first = false;
		}
	}
	printf("]\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return do_recv(argc - 1, argv + 1);
	usage();
}
