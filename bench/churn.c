/*
 * churn: short loopback TCP connections at a paced rate, for --events.
 *
 *   churn RATE SECONDS PORT [WORKERS]
 *
 * Run inside a fresh network namespace with lo up. A server (two processes sharing
 * one listener on 127.0.0.1:PORT) reads 1000 bytes from each connection and closes it;
 * WORKERS client processes (default 4) each connect, send 1000 bytes, wait for the
 * server's close and close too, at RATE/WORKERS connections per second, for at most
 * SECONDS seconds and RATE*SECONDS connections in all (both bounds hold). The server
 * closes first, so TIME_WAIT stays on its side and never blocks a client's port.
 *
 * Prints "made N ELAPSED" (connections completed, seconds) on stdout at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD 1000

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void serve(int listener)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	char buf[4096];
	for (;;) {
		int fd = accept(listener, NULL, NULL);
		if (fd < 0)
			continue;
		size_t got = 0;
		while (got < PAYLOAD) {
			ssize_t n = read(fd, buf, sizeof buf);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		close(fd);
	}
}

static void client(struct sockaddr_in *to, long count, double rate, double deadline, long *made)
{
	char payload[PAYLOAD], buf[64];
	memset(payload, 'x', sizeof payload);
	double start = now();
	for (long i = 0; i < count; i++) {
		double due = start + i / rate, t = now();
		if (t >= deadline)
			break;
		if (due > t)
			usleep((useconds_t)((due - t) * 1e6));
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)to, sizeof *to) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (write(fd, payload, sizeof payload) == PAYLOAD)
			while (read(fd, buf, sizeof buf) > 0)
				;
		close(fd);
		__atomic_add_fetch(made, 1, __ATOMIC_RELAXED);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: churn RATE SECONDS PORT [WORKERS]\n");
		return 2;
	}
	double rate = atof(argv[1]), seconds = atof(argv[2]);
	int port = atoi(argv[3]), workers = argc > 4 ? atoi(argv[4]) : 4;
	if (rate <= 0 || seconds <= 0 || seconds > 600 || workers < 1 || workers > 64) {
		fprintf(stderr, "churn: bad arguments\n");
		return 2;
	}
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 4096) < 0) {
		perror("churn: listen");
		return 1;
	}
	pid_t servers[2];
	for (int s = 0; s < 2; s++)
		if ((servers[s] = fork()) == 0)
			serve(listener);
	long *made = mmap(NULL, sizeof *made, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double start = now(), deadline = start + seconds;
	long total = (long)(rate * seconds), share = total / workers;
	for (int w = 0; w < workers; w++)
		if (fork() == 0) {
			client(&addr, share + (w < total % workers), rate / workers, deadline, made);
			_exit(0);
		}
	for (int w = 0; w < workers; w++)
		wait(NULL);
	double elapsed = now() - start;
	for (int s = 0; s < 2; s++)
		kill(servers[s], SIGKILL);
	while (wait(NULL) > 0)
		;
	close(listener);
	printf("made %ld %.3f\n", *made, elapsed);
	return 0;
}
