/* flood — --flood N: N datapoints as fast as the broker takes them, for
 * the benchmarks.  One reused payload buffer, topics built once, no tree per
 * message (payload_write_datapoint), no event per message (untracked
 * publishes, only counted).  Paho may hold at most WINDOW messages at once:
 * enough to keep the socket busy, bounded memory whatever N.  At the end it
 * waits (bounded) until Paho has written or had acknowledged every message,
 * then prints one line:
 *
 *   drivr-sim: flood: messages=N payload_bytes=B series=K qos=Q seconds=T rate=R failed=F
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exitstatus.h"
#include "sim.h"
#include "util.h"

/* Below Paho's buffered-message limit (mqtt.c creates clients with 1000):
 * beyond it Paho refuses new messages instead of queueing them. */
#define WINDOW 900
#define STALL_S 30.0 /* no progress this long: give up */

static void nap(void)
{
	struct timespec ts = { 0, 50 * 1000 }; /* 50 µs */
	nanosleep(&ts, NULL);
}

static unsigned long long pending(struct mqtt *m, struct mqtt_publish_stats *st)
{
	mqtt_get_publish_stats(m, st);
	unsigned long long done = st->completed + st->failed;
	return st->sent > done ? st->sent - done : 0;
}

int flood_run(struct sim *sim)
{
	struct world *w = sim->world;
	size_t ns = w->system_count;
	char (*topics)[512] = xcalloc(ns, sizeof(*topics));
	for (size_t i = 0; i < ns; i++) {
		struct topic_ids ids = out_ids(&sim->out);
		ids.v[TOPIC_ID_SYSTEM_UUID] = w->systems[i].uuid;
		topic_build(sim->topics, TOPIC_DATAPOINT_INPUT, &ids, FORMAT_JSON, topics[i],
			    sizeof(topics[i]));
	}
	size_t series = (size_t)sim->opt.series;
	size_t want = (size_t)sim->opt.payload_bytes;
	size_t cap = want + 1024;
	char *buf = xmalloc(cap);
	char code[32];
	struct datapoint dp;
	memset(&dp, 0, sizeof(dp));
	dp.addr.service_code = "flood";
	dp.addr.characteristic_code = code;
	dp.addr.service_index = -1;
	dp.value.type = VALUE_NUMBER;

	unsigned long long n = (unsigned long long)sim->opt.flood, failed_send = 0;
	size_t last_len = 0;
	const size_t pad_overhead = strlen(",\"pad\":\"\"");
	struct mqtt_publish_stats st;
	double start = time_monotonic(), last_progress = start;
	unsigned long long last_done = 0;
	for (unsigned long long i = 0; i < n;) {
		if (pending(sim->mqtt, &st) >= WINDOW) {
			unsigned long long done = st.completed + st.failed;
			double now = time_monotonic();
			if (done != last_done) {
				last_done = done;
				last_progress = now;
			} else if (now - last_progress > STALL_S) {
				fprintf(stderr, "drivr-sim: flood: no progress for %.0f s, giving up\n",
					STALL_S);
				break;
			}
			nap();
			continue;
		}
		size_t k = (size_t)(i % series);
		size_t s = k % ns;
		struct sim_system *sys = &w->systems[s];
		dp.addr.component_code = sys->components[(k / ns) % sys->component_count].code;
		snprintf(code, sizeof(code), "k%05zu", k);
		dp.time = time_now();
		dp.value.number = round((230 + 10 * sin((double)i / 1000.0 + (double)k)) * 100) / 100;
		/* The padding that makes this payload exactly `want` bytes (values
		 * differ in length, so per message). */
		size_t len = payload_write_datapoint(buf, cap, &dp, 0);
		if (want > len + pad_overhead)
			len = payload_write_datapoint(buf, cap, &dp, want - len - pad_overhead);
		last_len = len;
		char err[256];
		enum mqtt_error e = mqtt_publish_qos(sim->mqtt, topics[s], buf, len,
						     (int)sim->opt.flood_qos, false, false, NULL, err,
						     sizeof(err));
		if (e == MQTT_ERR_NOT_READY) { /* connection dropped: wait for Paho's reconnect */
			if (time_monotonic() - last_progress > STALL_S) {
				fprintf(stderr, "drivr-sim: flood: %s\n", err);
				break;
			}
			nap();
			continue;
		}
		if (e != MQTT_OK && failed_send++ == 0)
			fprintf(stderr, "drivr-sim: flood: %s\n", err);
		last_progress = time_monotonic();
		i++;
	}
	/* Drain: every message written (QoS 0) or acknowledged (QoS 1). */
	double drain_start = time_monotonic();
	while (pending(sim->mqtt, &st) > 0 && time_monotonic() - drain_start < 60)
		nap();
	double seconds = time_monotonic() - start;
	unsigned long long left = pending(sim->mqtt, &st);
	unsigned long long failed = st.failed + failed_send + left;
	unsigned long long delivered = st.completed;
	fprintf(stderr,
		"drivr-sim: flood: messages=%llu payload_bytes=%zu series=%zu qos=%ld seconds=%.3f "
		"rate=%.0f failed=%llu\n",
		delivered, last_len, series, sim->opt.flood_qos, seconds,
		seconds > 0 ? (double)delivered / seconds : 0.0, failed);
	free(buf);
	free(topics);
	return failed == 0 && delivered == n ? EXIT_OK : EXIT_FAILED;
}
