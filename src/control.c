/*
 * control.c: the control channel's unix socket on the main thread's event
 * loop: one request line per connection (bounded, with a timeout), the
 * reply lines of control_execute() and a last "status N" line.
 */
#include <config.h>

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "zoned/config.h"
#include "zoned/control.h"
#include "zoned/error.h"

struct control_connection {
	struct control *control;
	struct bufferevent *event;
	struct control_connection *prev, *next;
	bool answered;                     /* the reply is queued: close once written */
	bool stop;                         /* then stop the daemon */
};

struct control {
	char *path;
	int fd;                            /* until control_start hands it to listener */
	dev_t device;                      /* the socket file made, removed only if still it */
	ino_t inode;
	log_function *log;
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *resume;              /* accepts again after EMFILE */
	struct control_daemon daemon;
	time_t started;
	struct control_connection *connections;
	unsigned connection_count;
};

static int
control_address(const char *path, struct sockaddr_un *address)
{
	memset(address, 0, sizeof *address);
	address->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof address->sun_path)
		return ZONED_EINVAL;
	memcpy(address->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Makes room for the socket at path: nothing there, or a socket nobody
 * answers on (a dead daemon's, removed). Returns 0, ZONED_EEXIST (a live
 * process answers, or a file that is not a socket) or ZONED_EIO (errno).
 */
static int
control_clear_stale(const char *path, const struct sockaddr_un *address, log_function *log)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : ZONED_EIO;
	if (!S_ISSOCK(st.st_mode)) {
		log(LOG_ERR, "control socket %s: exists and is not a socket: not replacing it", path);
		return ZONED_EEXIST;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ZONED_EIO;
	int rc = connect(fd, (const struct sockaddr *)address, sizeof *address);
	int saved = errno;
	close(fd);
	if (rc == 0) {
		log(LOG_ERR, "control socket %s: another process answers on it (a zoned "
			"running?): not taking it", path);
		return ZONED_EEXIST;
	}
	if (saved != ECONNREFUSED) {
		errno = saved;
		return ZONED_EIO;
	}
	log(LOG_INFO, "control socket %s: left by a process that is gone, replacing it", path);
	return unlink(path) < 0 && errno != ENOENT ? ZONED_EIO : 0;
}

/* Binds and listens at path with settings' mode and owner. Returns the fd or a code. */
static int
control_bind(const char *path, const struct sockaddr_un *address,
	const struct config_control *settings, struct control *control)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return ZONED_EIO;
	/* Created with no more than its final mode: never open to others, even briefly. */
	mode_t saved_mask = umask(~settings->perm & 0777);
	int rc = bind(fd, (const struct sockaddr *)address, sizeof *address);
	umask(saved_mask);
	struct stat st;
	if (rc < 0 || chmod(path, settings->perm) < 0
	    || ((settings->owner >= 0 || settings->group >= 0)
		&& chown(path, (uid_t)settings->owner, (gid_t)settings->group) < 0)
	    || listen(fd, CONTROL_CONNECTIONS_MAX) < 0 || stat(path, &st) < 0) {
		int saved = errno;
		if (rc == 0)
			unlink(path);
		close(fd);
		errno = saved;
		return ZONED_EIO;
	}
	control->device = st.st_dev;
	control->inode = st.st_ino;
	return fd;
}

/* Without a controls statement: no channel when the default's directory is missing. */
static bool
control_default_directory_missing(const char *path)
{
	char copy[sizeof CONTROL_DEFAULT_PATH];
	memcpy(copy, path, sizeof copy);
	struct stat st;
	return stat(dirname(copy), &st) < 0 && errno == ENOENT;
}

int
control_open(const struct config_control *settings, log_function *log,
	struct control **out)
{
	*out = NULL;
	const char *path = settings->given ? settings->path : CONTROL_DEFAULT_PATH;
	if (path == NULL) {
		log(LOG_INFO, "no control channel (controls { }; in the configuration)");
		return 0;
	}
	if (!settings->given && control_default_directory_missing(path)) {
		log(LOG_INFO, "no control channel: the directory of %s does not exist "
			"(zoned.conf(5): controls)", path);
		return 0;
	}
	struct sockaddr_un address;
	if (control_address(path, &address) != 0) {
		log(LOG_ERR, "control socket %s: path longer than %zu octets", path,
			sizeof address.sun_path - 1);
		return ZONED_EINVAL;
	}
	struct control *control = calloc(1, sizeof *control);
	if (control == NULL || (control->path = strdup(path)) == NULL) {
		free(control);
		return ZONED_ENOMEM;
	}
	control->log = log;
	control->fd = -1;
	int rc = control_clear_stale(path, &address, log);
	if (rc == ZONED_EIO)
		log(LOG_ERR, "control socket %s: %s", path, strerror(errno));
	if (rc == 0) {
		rc = control_bind(path, &address, settings, control);
		if (rc < 0)
			log(LOG_ERR, "control socket %s: %s", path, strerror(errno));
	}
	if (rc < 0) {
		free(control->path);
		free(control);
		/* The default is a convenience: without it the server still serves. */
		if (!settings->given) {
			log(LOG_WARNING, "no control channel at the default %s", path);
			return 0;
		}
		return rc;
	}
	control->fd = rc;
	*out = control;
	return 0;
}

static void
control_connection_free(struct control_connection *connection)
{
	struct control *control = connection->control;
	if (connection->prev != NULL)
		connection->prev->next = connection->next;
	else
		control->connections = connection->next;
	if (connection->next != NULL)
		connection->next->prev = connection->prev;
	control->connection_count--;
	bufferevent_free(connection->event);
	free(connection);
}

/* Queues reply and its status line; the connection closes once they are written. */
static void
control_send(struct control_connection *connection, struct evbuffer *reply, int status)
{
	evbuffer_add_printf(reply, "status %d\n", status);
	connection->answered = true;
	bufferevent_disable(connection->event, EV_READ);
	if (bufferevent_write_buffer(connection->event, reply) != 0)
		control_connection_free(connection);
	evbuffer_free(reply);
}

/* Parses and runs line (NULL: it was too long), then queues the reply. */
static void
control_answer(struct control_connection *connection, const char *line, size_t length)
{
	struct control *control = connection->control;
	struct evbuffer *reply = evbuffer_new();
	if (reply == NULL) {
		control_connection_free(connection);
		return;
	}
	struct control_request request;
	char error[CONTROL_REQUEST_MAX + 128];
	if (line == NULL) {
		evbuffer_add_printf(reply, "request longer than %d octets\n",
			CONTROL_REQUEST_MAX - 1);
		control_send(connection, reply, 1);
	} else if (control_request_parse(line, length, &request, error, sizeof error) != 0) {
		evbuffer_add_printf(reply, "%s\n", error);
		control_send(connection, reply, 1);
	} else {
		control->log(LOG_INFO, "control: %.*s", (int)length, line);
		int status = control_execute(&control->daemon, &request, control->started, reply,
			&connection->stop);
		control_send(connection, reply, status);
	}
}

/* Request bytes: answer once a whole line (LF or CRLF) is in. */
static void
on_control_readable(struct bufferevent *event, void *arg)
{
	struct control_connection *connection = arg;
	struct evbuffer *input = bufferevent_get_input(event);
	if (connection->answered)
		return;
	size_t eol_length = 0;
	struct evbuffer_ptr eol = evbuffer_search_eol(input, NULL, &eol_length, EVBUFFER_EOL_LF);
	size_t available = evbuffer_get_length(input);
	if ((eol.pos < 0 && available >= CONTROL_REQUEST_MAX)
	    || (eol.pos >= 0 && (size_t)eol.pos >= CONTROL_REQUEST_MAX)) {
		control_answer(connection, NULL, 0);
		return;
	}
	if (eol.pos < 0)
		return;   /* the rest of the line is still to come */
	char line[CONTROL_REQUEST_MAX];
	size_t length = (size_t)eol.pos;
	evbuffer_remove(input, line, length);
	evbuffer_drain(input, eol_length);
	if (length > 0 && line[length - 1] == '\r')
		length--;
	control_answer(connection, line, length);
}

/* The reply is written out: close, and stop the daemon if asked to. */
static void
on_control_written(struct bufferevent *event, void *arg)
{
	struct control_connection *connection = arg;
	if (!connection->answered || evbuffer_get_length(bufferevent_get_output(event)) > 0)
		return;
	struct control *control = connection->control;
	bool stop = connection->stop;
	control_connection_free(connection);
	if (stop)
		control->daemon.stop(control->daemon.arg);
}

/* End of input, an error or the timeout: the connection goes. */
static void
on_control_event(struct bufferevent *event, short events, void *arg)
{
	struct control_connection *connection = arg;
	struct control *control = connection->control;
	bool stop = connection->stop && connection->answered;
	if (events & BEV_EVENT_TIMEOUT)
		control->log(LOG_INFO, "control: connection timed out");
	control_connection_free(connection);
	if (stop)
		control->daemon.stop(control->daemon.arg);   /* asked for, even if the reply got lost */
}

static void
on_control_accept(struct evconnlistener *listener, evutil_socket_t fd, struct sockaddr *address,
	int length, void *arg)
{
	struct control *control = arg;
	if (control->connection_count >= CONTROL_CONNECTIONS_MAX) {
		control->log(LOG_WARNING, "control: %d connections open, closing a new one",
			CONTROL_CONNECTIONS_MAX);
		close(fd);
		return;
	}
	struct control_connection *connection = calloc(1, sizeof *connection);
	struct bufferevent *event = connection == NULL ? NULL
		: bufferevent_socket_new(control->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (event == NULL) {
		free(connection);
		close(fd);
		return;
	}
	connection->control = control;
	connection->event = event;
	connection->next = control->connections;
	if (control->connections != NULL)
		control->connections->prev = connection;
	control->connections = connection;
	control->connection_count++;
	struct timeval timeout = { CONTROL_TIMEOUT_SECONDS, 0 };
	bufferevent_set_timeouts(event, &timeout, &timeout);
	/* A request line at most: more is not read until it is answered. */
	bufferevent_setwatermark(event, EV_READ, 0, CONTROL_REQUEST_MAX);
	bufferevent_setcb(event, on_control_readable, on_control_written, on_control_event,
		connection);
	bufferevent_enable(event, EV_READ);
}

static void
on_control_resume(evutil_socket_t fd, short events, void *arg)
{
	struct control *control = arg;
	evconnlistener_enable(control->listener);
}

/* accept(2) failed (EMFILE, ENFILE...): pause a second rather than spin. */
static void
on_control_accept_error(struct evconnlistener *listener, void *arg)
{
	struct control *control = arg;
	control->log(LOG_WARNING, "control: accept: %s: pausing for a second",
		strerror(EVUTIL_SOCKET_ERROR()));
	evconnlistener_disable(listener);
	struct timeval pause = { 1, 0 };
	event_add(control->resume, &pause);
}

int
control_start(struct control *control, struct event_base *base,
	const struct control_daemon *daemon)
{
	if (control == NULL)
		return 0;
	control->base = base;
	control->daemon = *daemon;
	control->started = time(NULL);
	control->resume = evtimer_new(base, on_control_resume, control);
	control->listener = control->resume == NULL ? NULL
		: evconnlistener_new(base, on_control_accept, control,
			LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, control->fd);
	if (control->listener == NULL)
		return ZONED_ENOMEM;
	control->fd = -1;   /* the listener's now */
	evconnlistener_set_error_cb(control->listener, on_control_accept_error);
	control->log(LOG_INFO, "control channel on %s", control->path);
	return 0;
}

const char *
control_path(const struct control *control)
{
	return control == NULL ? NULL : control->path;
}

void
control_free(struct control *control)
{
	if (control == NULL)
		return;
	while (control->connections != NULL)
		control_connection_free(control->connections);
	if (control->listener != NULL)
		evconnlistener_free(control->listener);
	if (control->fd >= 0)
		close(control->fd);
	if (control->resume != NULL)
		event_free(control->resume);
	/* Only ours: a newer daemon may have replaced it. After -u the directory
	 * may not let us: the next start replaces the socket left behind. */
	struct stat st;
	if (stat(control->path, &st) == 0 && st.st_dev == control->device
	    && st.st_ino == control->inode && unlink(control->path) < 0)
		control->log(LOG_INFO, "control socket %s: not removed: %s", control->path,
			strerror(errno));
	free(control->path);
	free(control);
}
