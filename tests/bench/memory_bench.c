/* memory_bench — what a series costs in the store: K distinct series, one
 * numeric datapoint each, through ingest_message(); resident memory before
 * and after (from /proc/self/statm).
 *
 *   memory_bench SERIES HISTORY   → "series=… history=… bytes_per_series=… peak_rss_kb=…" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"

static long resident_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * sysconf(_SC_PAGESIZE);
}

static long peak_rss_kb(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	long series = argc > 1 ? atol(argv[1]) : 100000;
	long history = argc > 2 ? atol(argv[2]) : 120;
	struct topic_table *topics = topics_new();
	struct store_limits limits;
	store_limits_default(&limits);
	limits.history_len = (size_t)history;
	limits.max_series = (size_t)series;
	struct store *store = store_new(&limits);
	struct ingest ingest;
	ingest_init(&ingest, topics, store);
	long before = resident_bytes();
	char topic[160], payload[400];
	for (long i = 0; i < series; i++) {
		/* 100 systems × 10 components × series/1000 characteristics, like a fleet. */
		long system = i % 100, component = (i / 100) % 10, characteristic = i / 1000;
		snprintf(topic, sizeof(topic),
			 "drivr/v1/bench/input/datapoint/00000000-0000-4000-8000-%012ld/json", system);
		int n = snprintf(payload, sizeof(payload),
				 "{\"componentCode\":\"component-%ld\",\"serviceCode\":\"electricity\","
				 "\"characteristicCode\":\"characteristic-%ld\",\"value\":%ld.25}",
				 component, characteristic, i);
		struct message_meta msg = { topic, strlen(topic), payload, (size_t)n, false, 1e9 };
		ingest_message(&ingest, &msg);
	}
	long after = resident_bytes();
	printf("series=%zu history=%ld bytes_per_series=%.0f ring_bytes=%zu peak_rss_kb=%ld\n",
	       store_series_live(store), history, (double)(after - before) / (double)series,
	       (size_t)history * sizeof(struct sample), peak_rss_kb());
	store_free(store);
	topics_free(topics);
	return 0;
}
