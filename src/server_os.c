/* server_os.c: daemonizing, pid file, privilege drop, limits and sd_notify. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
server_os_write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
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
