/*
 * fuzz_config.c: config text -> config_load_text(), with include confined
 * to tests/fuzz/include; a config that parses must be internally sound.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "zoned/config.h"
#include "zoned/diag.h"
#include "zoned/error.h"

int
fuzz_config_one(const uint8_t *data, size_t size)
{
	if (fuzz_names_special_file(data, size))
		return 0;
	char *text = fuzz_copy_input("config", data, size);
	struct diag d = {0};
	struct config *config = NULL;
	int status = config_load_text(text, size, "fuzz.conf", &d, &config);
	free(text);
	fuzz_check_load_result("config", "config", status, config, d.errors, ZONED_ENOMEM);
	if (config == NULL)
		return 0;
	for (size_t i = 0; i < config->zone_count; i++) {
		const struct config_zone *zone = &config->zones[i];
		if (zone->name == NULL || zone->path == NULL)
			fuzz_fail("config", "a zone without a name or a file");
		if (zone->origin_length == 0 || zone->origin_length > 255)
			fuzz_fail("config", "a zone origin of impossible length");
		if (config_find_zone(config, zone->origin) == NULL)
			fuzz_fail("config", "a configured zone is not found by its origin");
	}
	if (config->listen_count > 0 && config->listens == NULL)
		fuzz_fail("config", "listen count without addresses");
	config_free(config);
	return 0;
}

FUZZ_ENTRY(fuzz_config_one)
