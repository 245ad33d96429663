/* paho_count — the benchmarks' baseline: a bare Paho async client that only
 * counts messages.  What drivr-console's ingest is compared with.
 *
 *   paho_count -h HOST -p PORT -t FILTER -n COUNT [-q QOS] [-i ID] [-c]
 *              [--cafile F --cert F --key F]
 *
 * -c keeps the session (clean session off) so a backlog queued while the
 * client was away is drained on connect; without -n it only registers the
 * session (subscribe, disconnect).  Prints "<count> messages in <s> s,
 * <s> s from connect": first to last message, then connect to last message
 * (what drivr-console --snapshot reports as loadSeconds). */
#include <MQTTAsync.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_long received;
static atomic_int subscribed, failed, done; /* done: `last` is written */
static long wanted;
static struct timespec started, first, last;

static double seconds(struct timespec a, struct timespec b)
{
	return (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
}

static int on_message(void *ctx, char *topic, int len, MQTTAsync_message *msg)
{
	(void)ctx;
	(void)len;
	long n = atomic_fetch_add(&received, 1) + 1;
	if (n == 1)
		clock_gettime(CLOCK_MONOTONIC, &first);
	if (n == wanted) {
		clock_gettime(CLOCK_MONOTONIC, &last);
		atomic_store(&done, 1);
	}
	MQTTAsync_freeMessage(&msg);
	MQTTAsync_free(topic);
	return 1;
}

static void on_subscribe(void *ctx, MQTTAsync_successData *r)
{
	(void)ctx;
	(void)r;
	atomic_store(&subscribed, 1);
}

static void on_failure(void *ctx, MQTTAsync_failureData *r)
{
	(void)ctx;
	fprintf(stderr, "paho_count: %s\n", r && r->message ? r->message : "failure");
	atomic_store(&failed, 1);
}

struct args {
	const char *host, *port, *filter, *id, *cafile, *cert, *key;
	int qos;
	int keep_session;
};

static void on_connect(void *ctx, MQTTAsync_successData *r)
{
	(void)r;
	MQTTAsync client = ((void **)ctx)[0];
	const struct args *a = ((void **)ctx)[1];
	MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
	opts.onSuccess = on_subscribe;
	opts.onFailure = on_failure;
	MQTTAsync_subscribe(client, a->filter, a->qos, &opts);
}

int main(int argc, char **argv)
{
	struct args a = { "127.0.0.1", "1883", "#", "paho-count", NULL, NULL, NULL, 0, 0 };
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "-c")) {
			a.keep_session = 1;
			continue;
		}
		if (!v) {
			fprintf(stderr, "paho_count: %s needs a value\n", argv[i]);
			return 2;
		}
		if (!strcmp(argv[i], "-h")) a.host = v;
		else if (!strcmp(argv[i], "-p")) a.port = v;
		else if (!strcmp(argv[i], "-t")) a.filter = v;
		else if (!strcmp(argv[i], "-n")) wanted = atol(v);
		else if (!strcmp(argv[i], "-q")) a.qos = atoi(v);
		else if (!strcmp(argv[i], "-i")) a.id = v;
		else if (!strcmp(argv[i], "--cafile")) a.cafile = v;
		else if (!strcmp(argv[i], "--cert")) a.cert = v;
		else if (!strcmp(argv[i], "--key")) a.key = v;
		else { fprintf(stderr, "paho_count: unknown option %s\n", argv[i]); return 2; }
		i++;
	}
	char uri[256];
	snprintf(uri, sizeof(uri), "%s://%s:%s", a.cafile ? "ssl" : "tcp", a.host, a.port);
	MQTTAsync client;
	if (MQTTAsync_create(&client, uri, a.id, MQTTCLIENT_PERSISTENCE_NONE, NULL) != MQTTASYNC_SUCCESS)
		return 1;
	void *ctx[2] = { client, &a };
	MQTTAsync_setCallbacks(client, ctx, NULL, on_message, NULL);
	MQTTAsync_connectOptions conn = MQTTAsync_connectOptions_initializer;
	MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
	conn.keepAliveInterval = 30;
	conn.cleansession = !a.keep_session;
	conn.onSuccess = on_connect;
	conn.onFailure = on_failure;
	conn.context = ctx;
	if (a.cafile) {
		ssl.trustStore = a.cafile;
		ssl.keyStore = a.cert;
		ssl.privateKey = a.key;
		ssl.enableServerCertAuth = 1;
		conn.ssl = &ssl;
	}
	clock_gettime(CLOCK_MONOTONIC, &started);
	if (MQTTAsync_connect(client, &conn) != MQTTASYNC_SUCCESS)
		return 1;
	/* Bounded: at most 10 minutes. */
	for (int i = 0; i < 600000 && !atomic_load(&failed); i++) {
		if (wanted == 0 && atomic_load(&subscribed))
			break;
		if (wanted > 0 && atomic_load(&done))
			break;
		usleep(1000);
	}
	int rc = atomic_load(&failed) ? 1 : 0;
	if (wanted > 0 && !rc) {
		long n = atomic_load(&received);
		printf("%ld messages in %.3f s, %.3f s from connect\n", n,
		       n >= wanted ? seconds(first, last) : -1.0,
		       n >= wanted ? seconds(started, last) : -1.0);
	}
	MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
	d.timeout = 1000;
	MQTTAsync_disconnect(client, &d);
	usleep(100000);
	MQTTAsync_destroy(&client);
	return rc;
}
