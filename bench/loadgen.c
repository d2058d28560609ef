/*
 * loadgen: hold N established loopback TCP connections (2N sockets) in P processes.
 *
 *   loadgen N P
 *
 * Run inside a fresh network namespace with lo up. Each holder h listens on
 * 127.0.0.1:(20000+h) and connects its share of clients to itself, every client
 * explicitly bound to 127.(10+h/256).(h%256).1:(1024+j), so no ephemeral port
 * search happens and no port range can run out. Holders accept in batches well
 * below the listen backlog, so a blocking loopback connect never waits on a full
 * accept queue. Every socket gets SO_LINGER 0 so the teardown sends RSTs and
 * leaves no TIME_WAIT behind.
 *
 * Prints "READY <connections> <seconds>" on stdout once every holder is done,
 * then sleeps until SIGTERM/SIGINT/SIGHUP, or until EOF when stdin is a pipe or
 * FIFO (any other stdin, e.g. /dev/null or a tty, is ignored); the holders die
 * with it (control pipe EOF, plus PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define BACKLOG 4096
#define MAX_PER_HOLDER 60000 /* source ports 1024..61023 on one address */

static void die(const char *what, int h)
{
	fprintf(stderr, "loadgen: holder %d: %s: %s\n", h, what, strerror(errno));
	_exit(1);
}

static void set_linger0(int fd)
{
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* Builds `count` connections, reports on `ready`, then blocks on `ctl` until EOF. */
static void holder(int h, long count, int ready, int ctl)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "bench-holder");
	struct rlimit rl = {(rlim_t)(2 * count + 64), (rlim_t)(2 * count + 64)};
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit(RLIMIT_NOFILE)", h);

	struct sockaddr_in srv = {.sin_family = AF_INET};
	srv.sin_addr.s_addr = htonl(0x7f000001);
	srv.sin_port = htons(20000 + h);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	if (lfd < 0)
		die("socket", h);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(lfd, (struct sockaddr *)&srv, sizeof srv) < 0)
		die("bind listener", h);
	if (listen(lfd, BACKLOG) < 0)
		die("listen", h);

	struct sockaddr_in cli = {.sin_family = AF_INET};
	cli.sin_addr.s_addr = htonl((127u << 24) | ((10u + h / 256) << 16) | ((h % 256u) << 8) | 1u);

	for (long done = 0; done < count;) {
		long n = count - done < BATCH ? count - done : BATCH;
		for (long i = 0; i < n; i++) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			if (fd < 0)
				die("socket", h);
			set_linger0(fd);
			cli.sin_port = htons(1024 + done + i);
			if (bind(fd, (struct sockaddr *)&cli, sizeof cli) < 0)
				die("bind client", h);
			if (connect(fd, (struct sockaddr *)&srv, sizeof srv) < 0)
				die("connect", h);
		}
		for (long i = 0; i < n; i++) {
			int fd = accept(lfd, NULL, NULL);
			if (fd < 0)
				die("accept", h);
			set_linger0(fd);
		}
		done += n;
	}
	char ok = 'k';
	if (write(ready, &ok, 1) != 1)
		die("write ready", h);
	close(ready);
	char c;
	while (read(ctl, &c, 1) != 0 && errno == EINTR)
		;
	_exit(0);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loadgen CONNECTIONS HOLDERS\n");
		return 2;
	}
	long n = atol(argv[1]);
	int p = atoi(argv[2]);
	if (n < 1 || p < 1 || p > 10000) {
		fprintf(stderr, "loadgen: bad arguments\n");
		return 2;
	}
	if ((n + p - 1) / p > MAX_PER_HOLDER) {
		fprintf(stderr, "loadgen: more than %d connections per holder; raise HOLDERS\n",
			MAX_PER_HOLDER);
		return 2;
	}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int ready[2], ctl[2];
	if (pipe(ready) < 0 || pipe(ctl) < 0) {
		perror("loadgen: pipe");
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	for (int h = 0; h < p; h++) {
		long count = n / p + (h < n % p);
		pid_t pid = fork();
		if (pid < 0) {
			perror("loadgen: fork");
			return 1;
		}
		if (pid == 0) {
			close(ready[0]);
			close(ctl[1]);
			holder(h, count, ready[1], ctl[0]);
		}
	}
	close(ready[1]);
	close(ctl[0]);

	/* Each holder writes one byte when done; EOF early means a holder died. */
	int got = 0;
	char buf[64];
	while (got < p) {
		ssize_t r = read(ready[0], buf, sizeof buf);
		if (r < 0 && errno == EINTR && !stop)
			continue;
		if (r <= 0) {
			fprintf(stderr, "loadgen: only %d of %d holders got ready\n", got, p);
			return 1;
		}
		got += r;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("READY %ld %.2f\n", n, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);

	/*
	 * Wait for a signal or pipe EOF, then let the holders go (they see ctl EOF).
	 * Only a pipe is watched: /dev/zero or /dev/null would be always readable.
	 */
	struct stat st;
	int watch = fstat(0, &st) == 0 && S_ISFIFO(st.st_mode);
	struct pollfd pfd = {.fd = watch ? 0 : -1, .events = POLLIN};
	while (!stop) {
		if (poll(&pfd, 1, 1000) > 0 && read(0, buf, sizeof buf) <= 0)
			break;
	}
	close(ctl[1]);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	return 0;
}
