/* ingest_bench — the console's per-message pipeline cost without a broker:
 * N datapoint messages (JSON, ~200 bytes, spread over S series) through
 * ingest_message(), timed.  Prints ns per message.
 *
 *   ingest_bench [N] [SERIES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long series = argc > 2 ? atol(argv[2]) : 10000;
	struct topic_table *topics = topics_new();
	struct store *store = store_new(NULL);
	struct ingest ingest;
	ingest_init(&ingest, topics, store);
	enum { VARIANTS = 1024 };
	static char payloads[VARIANTS][320], topic_buf[VARIANTS][128];
	size_t lens[VARIANTS];
	for (int i = 0; i < VARIANTS; i++) {
		long s = (long)i * 7919 % series;
		snprintf(topic_buf[i], sizeof(topic_buf[i]),
			 "drivr/v1/bench/input/datapoint/00000000-0000-4000-8000-%012ld/json", s / 10);
		lens[i] = (size_t)snprintf(payloads[i], sizeof(payloads[i]),
			"{\"systemUuid\":\"00000000-0000-4000-8000-%012ld\",\"componentCode\":\"c%ld\","
			"\"serviceCode\":\"svc\",\"characteristicCode\":\"ch%ld\","
			"\"time\":\"2022-01-01T00:00:00Z\",\"value\":%ld.5,\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}",
			s / 10, s % 10, s % 7, (long)i);
	}
	double start = time_monotonic();
	for (long i = 0; i < n; i++) {
		int v = (int)(i % VARIANTS);
		struct message_meta msg = { topic_buf[v], strlen(topic_buf[v]), payloads[v], lens[v],
					    false, 1e9 + (double)i };
		ingest_message(&ingest, &msg);
	}
	double elapsed = time_monotonic() - start;
	printf("%ld messages, %zu series: %.0f ns/message (%.0f msg/s), decode errors %llu\n", n,
	       store_series_live(store), elapsed * 1e9 / (double)n, (double)n / elapsed,
	       (unsigned long long)store_counters(store)->decode_errors);
	store_free(store);
	topics_free(topics);
	return 0;
}
