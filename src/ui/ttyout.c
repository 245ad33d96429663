/* ttyout — see include/ui/ttyout.h. */
#define _GNU_SOURCE /* F_SETPIPE_SZ, O_CLOEXEC */
#include "ui/ttyout.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Room for many full frames of a large terminal; the kernel may refuse it
 * (fs.pipe-max-size) and the default 64 KiB then holds a few. */
#define TTYOUT_PIPE_BYTES (1 << 20)

struct ttyout {
	/* The terminal opened once more, non-blocking: a file description of
	 * our own, so the shell's (shared with stdin) keeps its flags, and a
	 * stalled terminal can be given up at exit without cancelling a
	 * thread blocked in write().  Where it cannot be reopened (own_fd
	 * false), the caller's descriptor, blocking. */
	int tty_fd;
	bool own_fd;
	int pipe_r; /* the thread's end */
	int wake_r, wake_w; /* ttyout_stop wakes the thread waiting for the terminal */
	atomic_bool abandon; /* deliver nothing more: the terminal is given up */
	FILE *stream; /* ncurses' end (the pipe's write side) */
	pthread_t thread;
	/* 1 from the moment the thread sees bytes in the pipe until they are
	 * written: with the pipe's own count (read first, see ttyout_idle)
	 * nothing in flight is ever missed. */
	atomic_int busy;
	atomic_bool failed;
	atomic_uint_fast64_t written;
};

/* Writes all of buf, waiting for the terminal as long as it takes or until
 * ttyout_stop gives it up. */
static bool write_all(struct ttyout *t, const char *buf, size_t len)
{
	while (len > 0 && !atomic_load(&t->abandon)) {
		ssize_t n = write(t->tty_fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			atomic_fetch_add(&t->written, (uint_fast64_t)n);
		} else if (n < 0 && errno == EAGAIN) {
			struct pollfd p[2] = { { t->tty_fd, POLLOUT, 0 }, { t->wake_r, POLLIN, 0 } };
			poll(p, 2, 1000);
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else {
			return false;
		}
	}
	return true;
}

static void *relay_main(void *arg)
{
	struct ttyout *t = arg;
	char buf[16 * 1024];
	for (;;) {
		struct pollfd p = { t->pipe_r, POLLIN, 0 };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		atomic_store(&t->busy, 1);
		ssize_t n = read(t->pipe_r, buf, sizeof(buf));
		if (n == 0)
			break; /* the stream was closed: everything is through */
		if (n < 0) {
			atomic_store(&t->busy, 0);
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		if (!atomic_load(&t->failed) && !write_all(t, buf, (size_t)n))
			atomic_store(&t->failed, true);
		atomic_store(&t->busy, 0);
	}
	atomic_store(&t->busy, 0);
	return NULL;
}

/* The terminal once more, as a new non-blocking file description. */
static int reopen_nonblocking(int fd)
{
	char proc[32];
	const char *name = ttyname(fd);
	if (!name) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		name = proc;
	}
	int again = open(name, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (again >= 0 && !isatty(again)) {
		close(again);
		again = -1;
	}
	return again;
}

static void close_fds(struct ttyout *t)
{
	close(t->pipe_r);
	close(t->wake_r);
	close(t->wake_w);
	if (t->own_fd)
		close(t->tty_fd);
}

struct ttyout *ttyout_start(int tty_fd, char *err, size_t err_size)
{
	int fds[2], wake[2];
	if (pipe(fds) != 0 || pipe(wake) != 0) {
		snprintf(err, err_size, "cannot make the terminal's output pipe: %s", strerror(errno));
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		fcntl(wake[i], F_SETFD, FD_CLOEXEC);
	}
	(void)fcntl(fds[1], F_SETPIPE_SZ, TTYOUT_PIPE_BYTES); /* best effort */
	struct ttyout *t = xcalloc(1, sizeof(*t));
	t->tty_fd = reopen_nonblocking(tty_fd);
	t->own_fd = t->tty_fd >= 0;
	if (!t->own_fd)
		t->tty_fd = tty_fd; /* blocking: a stalled terminal holds up the exit */
	t->pipe_r = fds[0];
	t->wake_r = wake[0];
	t->wake_w = wake[1];
	atomic_init(&t->abandon, false);
	t->stream = fdopen(fds[1], "w");
	if (!t->stream) {
		snprintf(err, err_size, "cannot open the terminal's output pipe: %s", strerror(errno));
		close(fds[1]);
		close_fds(t);
		free(t);
		return NULL;
	}
	atomic_init(&t->busy, 0);
	atomic_init(&t->failed, false);
	atomic_init(&t->written, 0);
	/* The thread takes no signals: SIGWINCH, SIGTSTP and SIGINT must
	 * interrupt the main thread's poll. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&t->thread, NULL, relay_main, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, err_size, "cannot start the terminal's output thread: %s", strerror(rc));
		fclose(t->stream);
		close_fds(t);
		free(t);
		return NULL;
	}
	return t;
}

FILE *ttyout_stream(const struct ttyout *t)
{
	return t->stream;
}

bool ttyout_idle(const struct ttyout *t)
{
	/* The pipe's count first, then the thread's flag: bytes the thread
	 * has taken out of the pipe were flagged before they left it. */
	int queued = 0;
	if (ioctl(t->pipe_r, FIONREAD, &queued) != 0)
		return true;
	return queued == 0 && atomic_load(&t->busy) == 0;
}

bool ttyout_wait_idle(const struct ttyout *t, int timeout_ms)
{
	double until = time_monotonic() + timeout_ms / 1000.0;
	while (!ttyout_idle(t)) {
		if (time_monotonic() >= until)
			return false;
		struct timespec pause = { 0, 2 * 1000 * 1000 };
		nanosleep(&pause, NULL);
	}
	return true;
}

uint64_t ttyout_bytes_written(const struct ttyout *t)
{
	return atomic_load(&t->written);
}

bool ttyout_failed(const struct ttyout *t)
{
	return atomic_load(&t->failed);
}

void ttyout_stop(struct ttyout *t, int timeout_ms)
{
	if (!t)
		return;
	fflush(t->stream);
	if (!ttyout_wait_idle(t, timeout_ms)) {
		if (!t->own_fd) {
			/* blocked in a blocking write: left to the process's exit */
			pthread_detach(t->thread);
			fclose(t->stream);
			return;
		}
		/* a stalled terminal: the rest is given up, the thread woken */
		atomic_store(&t->abandon, true);
		ssize_t ignored = write(t->wake_w, "x", 1);
		(void)ignored;
	}
	fclose(t->stream); /* the thread reads the end of the pipe and returns */
	pthread_join(t->thread, NULL);
	close_fds(t);
	free(t);
}
