/*
 * replay.c: runs saved fuzz inputs through the fuzz targets in the normal
 * build, so make check replays every seed and every regression input.
 * Usage: replay                      (all of tests/fuzz/{corpus,regressions})
 *        replay TARGET FILE|DIR...   (just these)
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

struct replay_target {
	const char *name;
	int (*one)(const uint8_t *data, size_t size);
};

static const struct replay_target replay_targets[] = {
	{"answer", fuzz_answer_one},
	{"zone_load", fuzz_zone_load_one},
	{"config", fuzz_config_one},
	{"tcp_stream", fuzz_tcp_stream_one},
	{"rrl", fuzz_rrl_one},
	{"notify", fuzz_notify_one},
	{"control", fuzz_control_one},
	{"xfr_request", fuzz_xfr_request_one},
	{"xfr_in", fuzz_xfr_in_one},
	{"zone_chunks", fuzz_zone_chunks_one},
};

#define REPLAY_TARGET_COUNT (sizeof(replay_targets) / sizeof(replay_targets[0]))
#define REPLAY_MAX_INPUT (16u * 1024 * 1024)
/* A hang is a failure too (libFuzzer's -timeout): no input may take longer. */
#define REPLAY_TIMEOUT_SECONDS 10

static const char *replay_current = "";

static void
on_replay_timeout(int signal_number)
{
	static const char message[] = "replay: timeout: input took more than 10 s: ";
	(void)signal_number;
	ssize_t ignored = write(STDERR_FILENO, message, sizeof(message) - 1);
	ignored = write(STDERR_FILENO, replay_current, strlen(replay_current));
	ignored = write(STDERR_FILENO, "\n", 1);
	(void)ignored;
	abort();
}

/* Reads a whole file; returns NULL (with a message) when it cannot. */
static uint8_t *
replay_read_file(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	if (file == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	uint8_t *data = malloc(REPLAY_MAX_INPUT);
	size_t length = data != NULL ? fread(data, 1, REPLAY_MAX_INPUT, file) : 0;
	int failed = data == NULL || ferror(file);
	fclose(file);
	if (failed) {
		fprintf(stderr, "replay: %s: read error\n", path);
		free(data);
		return NULL;
	}
	/* Exactly sized, so an overread shows under ASan and valgrind. */
	uint8_t *exact = malloc(length > 0 ? length : 1);
	if (exact != NULL)
		memcpy(exact, data, length);
	free(data);
	*size = length;
	return exact;
}

static int
replay_file(const struct replay_target *target, const char *path)
{
	size_t size = 0;
	uint8_t *data = replay_read_file(path, &size);
	if (data == NULL)
		return -1;
	fprintf(stderr, "replay %s %s\n", target->name, path);
	replay_current = path;
	alarm(REPLAY_TIMEOUT_SECONDS);
	target->one(data, size);
	alarm(0);
	free(data);
	return 0;
}

static int
replay_compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file in directory, in name order. Returns the count or -1. */
static long
replay_directory(const struct replay_target *target, const char *directory)
{
	DIR *dir = opendir(directory);
	if (dir == NULL)
		return errno == ENOENT ? 0 : -1;
	char **names = NULL;
	size_t count = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		char **grown = realloc(names, (count + 1) * sizeof(*names));
		if (grown == NULL)
			break;
		names = grown;
		names[count] = strdup(entry->d_name);
		if (names[count] != NULL)
			count++;
	}
	closedir(dir);
	if (count > 1)
		qsort(names, count, sizeof(*names), replay_compare_names);
	long replayed = 0;
	for (size_t i = 0; i < count; i++) {
		size_t length = strlen(directory) + strlen(names[i]) + 2;
		char *path = malloc(length);
		struct stat st;
		if (path != NULL && replayed >= 0) {
			snprintf(path, length, "%s/%s", directory, names[i]);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
				replayed = replay_file(target, path) == 0 ? replayed + 1 : -1;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return replayed;
}

static int
replay_path(const struct replay_target *target, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode))
		return replay_directory(target, path) < 0 ? -1 : 0;
	return replay_file(target, path);
}

static const struct replay_target *
replay_find_target(const char *name)
{
	for (size_t i = 0; i < REPLAY_TARGET_COUNT; i++) {
		if (strcmp(replay_targets[i].name, name) == 0)
			return &replay_targets[i];
	}
	return NULL;
}

/* make check: every target over its seeds and its regression inputs. */
static int
replay_everything(void)
{
	const char *top = getenv("top_srcdir");
	if (top == NULL)
		top = ".";
	static const char *const kinds[] = {"corpus", "regressions"};
	long total = 0;
	for (size_t i = 0; i < REPLAY_TARGET_COUNT; i++) {
		for (size_t k = 0; k < 2; k++) {
			char directory[4096];
			snprintf(directory, sizeof(directory), "%s/tests/fuzz/%s/%s", top, kinds[k],
				replay_targets[i].name);
			long count = replay_directory(&replay_targets[i], directory);
			if (count < 0) {
				fprintf(stderr, "replay: %s: cannot read\n", directory);
				return EXIT_FAILURE;
			}
			printf("%s %s: %ld inputs replayed\n", replay_targets[i].name, kinds[k], count);
			total += count;
		}
	}
	/* Like an empty Check run: replaying nothing must not pass silently. */
	if (total == 0) {
		fprintf(stderr, "replay: no inputs under %s/tests/fuzz: set top_srcdir\n", top);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	int status = EXIT_SUCCESS;
	signal(SIGALRM, on_replay_timeout);
	if (argc == 1) {
		status = replay_everything();
	} else {
		const struct replay_target *target = replay_find_target(argv[1]);
		if (target == NULL || argc < 3) {
			fprintf(stderr, "usage: replay [TARGET FILE|DIR...]\n");
			return 2;
		}
		for (int i = 2; i < argc; i++) {
			if (replay_path(target, argv[i]) != 0)
				status = EXIT_FAILURE;
		}
	}
	fuzz_tcp_stream_cleanup();
	fuzz_rrl_cleanup();
	fuzz_xfr_request_cleanup();
	fuzz_xfr_in_cleanup();
	fuzz_fixture_free();
	return status;
}
