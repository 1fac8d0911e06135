/* server_os.c: daemonizing, pid file, privilege drop, limits and sd_notify. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "zoned/log.h"
#include "zoned/server_os.h"

char *
server_os_absolute_path(const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	char cwd[4096];
	if (getcwd(cwd, sizeof cwd) == NULL)
		return NULL;
	size_t length = strlen(cwd) + 1 + strlen(path) + 1;
	char *out = malloc(length);
	if (out != NULL)
		snprintf(out, length, "%s/%s", cwd, path);
	return out;
}

unsigned
server_os_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}

int
server_os_daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	/* Paths were made absolute at load: do not hold a mount busy. */
	return chdir("/") < 0 ? -1 : 0;
}

int
server_os_lock_pid_file(const char *path, long *holder)
{
	*holder = 0;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	/*
	 * flock, not fcntl: the lock belongs to the open file, so the child of
	 * -d keeps it when the parent exits. A pid file left by a crash is not
	 * locked: no stale-pid guessing as kill(pid, 0) would need.
	 */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	int saved = errno;
	if (saved == EWOULDBLOCK) {
		char text[32] = "";
		ssize_t n = pread(fd, text, sizeof text - 1, 0);
		if (n > 0)
			*holder = strtol(text, NULL, 10);
	}
	close(fd);
	errno = saved;
	return -1;
}

int
server_os_write_pid_file(int fd)
{
	char text[32];
	int length = snprintf(text, sizeof text, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)length, 0) != length)
		return -1;
	return 0;
}

int
server_os_drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		log_message(LOG_ERR, "-u %s: no such user", user);
		return -1;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return 0;
		log_message(LOG_ERR, "-u %s: only root can switch users", user);
		return -1;
	}
	/* Groups first: after setuid we could no longer change them. */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0
	    || setuid(pw->pw_uid) < 0) {
		log_message(LOG_ERR, "cannot switch to user %s: %s", user, strerror(errno));
		return -1;
	}
	/* Refuse to run on as root if any of it did not stick. */
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0 || getegid() != pw->pw_gid)) {
		log_message(LOG_ERR, "privileges not dropped to %s: refusing to run", user);
		return -1;
	}
	log_message(LOG_INFO, "running as user %s (uid %lu, gid %lu)", user,
		(unsigned long)pw->pw_uid, (unsigned long)pw->pw_gid);
	return 0;
}

void
server_os_raise_file_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
}

/* Connected once, before privileges are dropped: later sends need no access. */
static int server_os_notify_fd = -1;

void
server_os_notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (path == NULL || path[0] == '\0' || server_os_notify_fd >= 0)
		return;
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	size_t length = strlen(path);
	if (length >= sizeof address.sun_path || (path[0] != '/' && path[0] != '@')) {
		log_message(LOG_WARNING, "NOTIFY_SOCKET %s: not a socket path", path);
		return;
	}
	memcpy(address.sun_path, path, length);
	/* '@' names a socket in the abstract namespace (leading NUL). */
	if (path[0] == '@')
		address.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t address_length = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length);
	if (connect(fd, (struct sockaddr *)&address, address_length) < 0) {
		log_message(LOG_WARNING, "NOTIFY_SOCKET %s: %s", path, strerror(errno));
		close(fd);
		return;
	}
	server_os_notify_fd = fd;
}

void
server_os_notify(const char *state)
{
	if (server_os_notify_fd < 0)
		return;
	if (send(server_os_notify_fd, state, strlen(state), MSG_NOSIGNAL) < 0)
		log_message(LOG_WARNING, "sd_notify: %s", strerror(errno));
}

void
server_os_notify_close(void)
{
	if (server_os_notify_fd >= 0)
		close(server_os_notify_fd);
	server_os_notify_fd = -1;
}

/* Written only by on_os_signal (async-signal-safe), read by the main thread. */
static volatile sig_atomic_t os_stop_signal;
static volatile sig_atomic_t os_reload_pending;
static volatile sig_atomic_t os_usr1_pending;
static int os_signal_pipe[2] = { -1, -1 };

static void
on_os_signal(int signal_number)
{
	int saved = errno;
	if (signal_number == SIGHUP)
		os_reload_pending = 1;
	else if (signal_number == SIGUSR1)
		os_usr1_pending = 1;
	else
		os_stop_signal = signal_number;
	/* A full pipe already wakes the loop: a failed write loses nothing. */
	ssize_t ignored = write(os_signal_pipe[1], "", 1);
	(void)ignored;
	errno = saved;
}

static int
server_os_pipe_flags(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int
server_os_signals_open(void)
{
	if (os_signal_pipe[0] < 0) {
		if (pipe(os_signal_pipe) < 0)
			return -1;
		if (server_os_pipe_flags(os_signal_pipe[0]) < 0
			|| server_os_pipe_flags(os_signal_pipe[1]) < 0)
			return -1;
	}
	/* SIGUSR1 (logrotate's "reopen your logs") must not kill us: noted, nothing to reopen. */
	static const int signals[] = { SIGHUP, SIGTERM, SIGINT, SIGUSR1 };
	struct sigaction action;
	memset(&action, 0, sizeof action);
	action.sa_handler = on_os_signal;
	sigemptyset(&action.sa_mask);
	/* Interrupted reads restart; the loader polls the flag between reads. */
	action.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (sigaction(signals[i], &action, NULL) < 0)
			return -1;
	}
	return os_signal_pipe[0];
}

const volatile sig_atomic_t *
server_os_stop_flag(void)
{
	return &os_stop_signal;
}

int
server_os_signal_take(void)
{
	char drain[64];
	while (read(os_signal_pipe[0], drain, sizeof drain) > 0)
		continue;
	if (os_stop_signal != 0)
		return os_stop_signal;
	if (os_reload_pending) {
		os_reload_pending = 0;
		return SIGHUP;
	}
	if (os_usr1_pending) {
		os_usr1_pending = 0;
		return SIGUSR1;
	}
	return 0;
}
