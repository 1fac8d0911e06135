/*
 * server_os.h: the daemon's dealings with the operating system: paths,
 * daemonizing, pid file, privileges, descriptor limit, systemd readiness.
 */
#ifndef ZONED_SERVER_OS_H
#define ZONED_SERVER_OS_H

#include <signal.h>

/* Returns path made absolute against the current directory (malloc'd), or NULL. */
char *server_os_absolute_path(const char *path);

/* The number of online CPUs, at least 1. */
unsigned server_os_cpu_count(void);

/*
 * Forks into the background: the parent exits 0, the child gets a new
 * session and /dev/null as stdin/stdout/stderr. Returns 0 in the child or
 * -1 (errno set).
 */
int server_os_daemonize(void);

/*
 * Opens (creating it) and locks the pid file at path, so that a second
 * zoned with the same pid file cannot start. Returns the descriptor, which
 * holds the lock until closed (also across server_os_daemonize), or -1
 * with errno set: EWOULDBLOCK when another process holds the lock, whose
 * pid (as its file says) goes to *holder (0: unknown).
 */
int server_os_lock_pid_file(const char *path, long *holder);

/* Writes our pid into the locked pid file fd. Returns 0 or -1 (errno set). */
int server_os_write_pid_file(int fd);

/*
 * Switches to user and its groups (only as root). Refuses to go on as root:
 * returns 0, or -1 after logging why.
 */
int server_os_drop_privileges(const char *user);

/* Raises the soft RLIMIT_NOFILE to the hard limit (TCP connections). */
void server_os_raise_file_limit(void);

/*
 * Connects to systemd's NOTIFY_SOCKET, if set (before dropping privileges:
 * the connection outlives them).
 */
void server_os_notify_open(void);

/*
 * Sends state ("READY=1", "RELOADING=1", "STOPPING=1") over the
 * sd_notify(3) datagram protocol; nothing without NOTIFY_SOCKET.
 */
void server_os_notify(const char *state);

/* Closes the notify connection. */
void server_os_notify_close(void);

/*
 * Installs plain sigaction handlers for SIGHUP, SIGTERM, SIGINT and SIGUSR1, before
 * the first zone loads: a handler only records the signal and writes a
 * byte to a pipe, so a signal during a load (when no event loop runs) is
 * neither fatal nor lost. Returns the pipe's read end (non-blocking, for
 * the main event loop) or -1 (errno set).
 */
int server_os_signals_open(void);

/*
 * Set once SIGTERM or SIGINT arrived, never cleared: loaders poll it to
 * abandon their work (zone_load_options.cancel).
 */
const volatile sig_atomic_t *server_os_stop_flag(void);

/*
 * Empties the wake pipe and says what to do: SIGTERM or SIGINT (stop,
 * it stays set), SIGHUP (a reload is due; taken, so several SIGHUPs during
 * one reload make one more reload), SIGUSR1 (taken), or 0.
 */
int server_os_signal_take(void);

#endif
