/*
 * zoned-control.c: the control client's main(): one command to the
 * daemon's control socket, its reply printed, its status as exit status.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "zoned/config.h"
#include "zoned/control.h"
#include "zoned/diag.h"

#define ZONED_CONTROL_DEFAULT_TIMEOUT 300   /* seconds for the reply (a reload may take long) */
#define ZONED_CONTROL_REPLY_MAX (16 * 1024 * 1024)

static void
zoned_control_usage(FILE *out)
{
	fprintf(out, "usage: zoned-control [-s socket | -c config] [-t seconds] command [argument]\n"
		"  -s socket    the daemon's control socket (default %s)\n"
		"  -c config    take the socket from this configuration's controls statement\n"
		"  -t seconds   wait this long for the reply (default %d)\n"
		"  -V           print the version and exit\n"
		"commands:\n", CONTROL_DEFAULT_PATH, ZONED_CONTROL_DEFAULT_TIMEOUT);
	for (size_t i = 0; control_command_usage(i) != NULL; i++)
		fprintf(out, "  %s\n", control_command_usage(i));
}

static void
on_config_finding(void *arg, enum diag_level level, const char *file, unsigned long line,
	const char *message)
{
	if (level == DIAG_ERROR)
		fprintf(stderr, "zoned-control: %s:%lu: %s\n", file ? file : "", line, message);
}

/* The socket path from config's controls statement (malloc'd), or NULL with a message. */
static char *
zoned_control_config_path(const char *config_path)
{
	struct diag d = { .emit = on_config_finding };
	struct config *config = NULL;
	if (config_load_file(config_path, &d, &config) != 0) {
		fprintf(stderr, "zoned-control: %s: configuration not loaded\n", config_path);
		return NULL;
	}
	const struct config_control *control = &config->control;
	char *path = NULL;
	if (control->given && control->path == NULL)
		fprintf(stderr, "zoned-control: %s: no control channel (controls { };)\n",
			config_path);
	else if ((path = strdup(control->given ? control->path : CONTROL_DEFAULT_PATH)) == NULL)
		fprintf(stderr, "zoned-control: out of memory\n");
	config_free(config);
	return path;
}

/* Connects to path. Returns the socket or -1 with a message. */
static int
zoned_control_connect(const char *path)
{
	struct sockaddr_un address = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof address.sun_path) {
		fprintf(stderr, "zoned-control: cannot connect to %s: path too long\n", path);
		return -1;
	}
	memcpy(address.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
		fprintf(stderr, "zoned-control: cannot connect to %s: %s (is zoned running?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Sends line and reads the reply until the daemon closes. Returns its length or -1. */
static long
zoned_control_exchange(int fd, const char *line, int timeout_seconds, char **reply)
{
	size_t length = strlen(line);
	for (size_t sent = 0; sent < length;) {
		ssize_t n = send(fd, line + sent, length - sent, MSG_NOSIGNAL);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "zoned-control: sending the command: %s\n", strerror(errno));
			return -1;
		}
		sent += n > 0 ? (size_t)n : 0;
	}
	size_t used = 0, size = 4096;
	char *buffer = malloc(size);
	time_t deadline = time(NULL) + timeout_seconds;
	while (buffer != NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = (long)(deadline - time(NULL));
		if (left <= 0 || poll(&p, 1, (int)(left * 1000)) == 0) {
			fprintf(stderr, "zoned-control: no reply within %d s\n", timeout_seconds);
			break;
		}
		if (used + 1 == size) {
			char *grown = size < ZONED_CONTROL_REPLY_MAX ? realloc(buffer, size * 2) : NULL;
			if (grown == NULL) {
				fprintf(stderr, "zoned-control: reply too long\n");
				break;
			}
			buffer = grown;
			size *= 2;
		}
		ssize_t n = recv(fd, buffer + used, size - used - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "zoned-control: reading the reply: %s\n", strerror(errno));
			break;
		}
		if (n == 0) {
			buffer[used] = '\0';
			*reply = buffer;
			return (long)used;
		}
		used += (size_t)n;
	}
	free(buffer);
	return -1;
}

/* Prints reply's lines before its last "status N" line; returns N, or 1. */
static int
zoned_control_print(char *reply, size_t length, const char *path)
{
	if (length == 0 || reply[length - 1] != '\n') {
		fprintf(stderr, "zoned-control: %s closed the connection without a status "
			"(the daemon stopped?)\n", path);
		return 1;
	}
	reply[length - 1] = '\0';
	char *last = strrchr(reply, '\n');
	char *status_line = last != NULL ? last + 1 : reply;
	int status;
	char extra;
	if (sscanf(status_line, "status %d%c", &status, &extra) != 1 || status < 0 || status > 1) {
		fprintf(stderr, "zoned-control: %s: not a zoned control reply\n", path);
		return 1;
	}
	*status_line = '\0';
	if (status == 0) {
		fputs(reply, stdout);
		return 0;
	}
	for (char *line = strtok(reply, "\n"); line != NULL; line = strtok(NULL, "\n"))
		fprintf(stderr, "zoned-control: %s\n", line);
	return 1;
}

/* The arguments as one request line ("reload example.com\n"), or NULL. */
static char *
zoned_control_request(int argc, char **argv)
{
	size_t length = 2;
	for (int i = 0; i < argc; i++)
		length += strlen(argv[i]) + 1;
	char *line = malloc(length);
	if (line == NULL)
		return NULL;
	line[0] = '\0';
	for (int i = 0; i < argc; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < argc ? " " : "\n");
	}
	return line;
}

int
main(int argc, char **argv)
{
	const char *socket_path = NULL;
	const char *config_path = NULL;
	long timeout = ZONED_CONTROL_DEFAULT_TIMEOUT;
	int option;
	while ((option = getopt(argc, argv, "+s:c:t:Vh")) != -1) {
		char *end;
		switch (option) {
		case 's': socket_path = optarg; break;
		case 'c': config_path = optarg; break;
		case 't':
			timeout = strtol(optarg, &end, 10);
			if (end == optarg || *end != '\0' || timeout < 1 || timeout > 86400) {
				fprintf(stderr, "zoned-control: -t %s: not a number of seconds "
					"from 1 to 86400\n", optarg);
				return EXIT_FAILURE;
			}
			break;
		case 'V':
			printf("zoned-control %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		case 'h':
			zoned_control_usage(stdout);
			return EXIT_SUCCESS;
		default:
			zoned_control_usage(stderr);
			return EXIT_FAILURE;
		}
	}
	if (optind == argc || (socket_path != NULL && config_path != NULL)) {
		zoned_control_usage(stderr);
		return EXIT_FAILURE;
	}
	char *line = zoned_control_request(argc - optind, argv + optind);
	struct control_request request;
	char error[CONTROL_REQUEST_MAX + 128];
	if (line == NULL || control_request_parse(line, strlen(line) - 1, &request, error,
		sizeof error) != 0) {
		fprintf(stderr, "zoned-control: %s\n", line ? error : "out of memory");
		free(line);
		return EXIT_FAILURE;
	}
	char *path = config_path != NULL ? zoned_control_config_path(config_path)
		: strdup(socket_path != NULL ? socket_path : CONTROL_DEFAULT_PATH);
	int fd = path != NULL ? zoned_control_connect(path) : -1;
	char *reply = NULL;
	long length = fd >= 0 ? zoned_control_exchange(fd, line, (int)timeout, &reply) : -1;
	int status = length >= 0 ? zoned_control_print(reply, (size_t)length, path) : 1;
	if (fd >= 0)
		close(fd);
	free(reply);
	free(path);
	free(line);
	return status;
}
