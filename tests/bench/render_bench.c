/* render_bench — time per frame of every view of the full-screen console
 * with a large store, offscreen (ncurses writes to /dev/null, as in the
 * screen tests), through the console's own app_draw().
 *
 *   render_bench [SERIES] [UPDATES_PER_FRAME] [VIEW]
 *
 * The store gets SERIES datapoint series (SERIES/100 systems × 10
 * components × 10 characteristics, 12 samples each), 2 000 events (half
 * of them active: the alert pane), 2 000 setpoints, 2 000 error replies and
 * 200 unclassified topics.  Then, for 80×24 and 250×80, for every view:
 *
 *   switch   the first frame after opening the view (its table is built)
 *   idle     frames with nothing new (the table is not rebuilt)
 *   live     frames after UPDATES_PER_FRAME new datapoints each (a flood of
 *            100 000 msg/s at 20 frames per second is 5 000 per frame)
 *   sorted   live, sorted by the view's first column (text: the costliest)
 *   filtered live, with the filter "ch3"
 *
 * (sorted and filtered once the sort or filter is applied: the frames that
 * apply it are timed apart) and the one frame that applies a new sort or filter to every row (the
 * first sorted or filtered frame above), under the same flood, FIRSTS times
 * each from the state before it:
 *
 *   sort-first        natural order -> sorted by the first column
 *   filter-first      no filter -> "ch3" (natural order)
 *   filter-extended   "meter-3 ch" -> "meter-3 ch7", one key typed (natural
 *                     order): the 10 % of the series the shorter filter kept
 *                     are checked again, 1 % stay
 *   filter-on-sorted  sorted by the first column, no filter -> "ch3"
 *
 * A table spreads a new sort or filter over frames (a few milliseconds
 * each, the old order shown meanwhile): each of these modes is also
 * printed as MODE-done, the wall (and CPU) milliseconds of all the frames
 * until the new order is shown, each frame under the flood's updates.
 *
 * Prints one tab-separated line per (size, view, mode): median and max
 * milliseconds per frame (wall), and the most CPU time one frame took. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "store.h"
#include "topics.h"
#include "ui/actions_ui.h"
#include "ui/app.h"
#include "ui/theme.h"
#include "util.h"

enum { FRAMES = 25, FIRSTS = 7 };

static struct ui ui;
static unsigned long long rng = 88172645463325252ULL;

static unsigned long next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)rng;
}

static void feed(const char *topic, const char *payload, double at)
{
	struct message_meta msg = { topic, strlen(topic), payload, strlen(payload), false, at };
	ingest_message(&ui.ingest, &msg);
}

static void system_uuid(char *out, size_t size, long n)
{
	snprintf(out, size, "00000000-0000-4000-8000-%012ld", n);
}

static void datapoint(long series, double value, double at)
{
	char uuid[64], topic[160], payload[400];
	system_uuid(uuid, sizeof(uuid), series / 100);
	snprintf(topic, sizeof(topic), "drivr/v1/bench/input/datapoint/%s/json", uuid);
	snprintf(payload, sizeof(payload),
		 "{\"systemUuid\":\"%s\",\"componentCode\":\"meter-%ld\",\"serviceCode\":\"electricity\","
		 "\"characteristicCode\":\"ch%ld\",\"value\":%.3f}",
		 uuid, series / 10 % 10, series % 10, value);
	feed(topic, payload, at);
}

static void populate(long series, double now)
{
	char uuid[64], topic[200], payload[1024];
	long systems = series / 100;
	for (int m = 0; m < 4; m++) {
		static const char *const levels[] = { "ERROR", "WARNING", "INFO", "SUCCESS" };
		snprintf(topic, sizeof(topic), "drivr/v1/bench/eventModels/10000000-0000-4000-8000-%012d", m);
		snprintf(payload, sizeof(payload),
			 "{\"uuid\":\"10000000-0000-4000-8000-%012d\",\"code\":\"MODEL-%d\",\"eventLevel\":\"%s\","
			 "\"eventType\":\"RANGED\",\"entityType\":\"SYSTEM\",\"message\":\"model %d\","
			 "\"status\":\"ACTIVATED\"}",
			 m, m, levels[m], m);
		feed(topic, payload, now);
	}
	for (long s = 0; s < systems; s++) {
		system_uuid(uuid, sizeof(uuid), s);
		snprintf(topic, sizeof(topic), "drivr/v1/bench/systems/%s", uuid);
		snprintf(payload, sizeof(payload),
			 "{\"uuid\":\"%s\",\"code\":\"site-%05ld.example.com\",\"name\":\"Site %ld\","
			 "\"connectionState\":\"%s\",\"status\":\"ACTIVATED\","
			 "\"createdAt\":\"2021-08-06T13:13:06Z\",\"updatedAt\":\"2021-08-06T14:39:44Z\"}",
			 uuid, s, s, s % 7 ? "CONNECTED" : "DISCONNECTED");
		feed(topic, payload, now);
		for (int c = 0; c < 10; c++) {
			snprintf(topic, sizeof(topic), "drivr/v1/bench/systems/%s/components/meter-%d", uuid, c);
			snprintf(payload, sizeof(payload),
				 "{\"uuid\":\"20000000-0000-4000-8000-%012ld\",\"code\":\"meter-%d\","
				 "\"name\":\"Meter %d\",\"systemUuid\":\"%s\",\"connectionState\":\"CONNECTED\","
				 "\"status\":\"ACTIVATED\"}",
				 s * 10 + c, c, c, uuid);
			feed(topic, payload, now);
		}
	}
	for (int sample = 0; sample < 12; sample++)
		for (long i = 0; i < series; i++)
			datapoint(i, (double)(next_random() % 1000) / 10.0, now - 12 + sample);
	for (long e = 0; e < 2000; e++) {
		system_uuid(uuid, sizeof(uuid), e % systems);
		snprintf(topic, sizeof(topic), "drivr/v1/bench/systems/%s/events/30000000-0000-4000-8000-%012ld",
			 uuid, e);
		snprintf(payload, sizeof(payload),
			 "{\"uuid\":\"30000000-0000-4000-8000-%012ld\","
			 "\"eventModelUuid\":\"10000000-0000-4000-8000-%012ld\",\"entityUuid\":\"%s\","
			 "\"time\":\"2022-01-01T00:00:00Z\",\"status\":\"%s\",\"acknowledged\":false}",
			 e, e % 4, uuid, e % 2 ? "ACTIVE" : "RESOLVED");
		feed(topic, payload, now);
	}
	for (long p = 0; p < 2000; p++) {
		system_uuid(uuid, sizeof(uuid), p % systems);
		snprintf(topic, sizeof(topic), "drivr/v1/bench/systems/%s/setpoints", uuid);
		snprintf(payload, sizeof(payload),
			 "{\"uuid\":\"40000000-0000-4000-8000-%012ld\",\"receiptId\":\"50000000-0000-4000-8000-%012ld\","
			 "\"timeStreamUuid\":\"60000000-0000-4000-8000-%012ld\",\"time\":\"2022-01-01T00:00:00Z\","
			 "\"type\":\"FLOAT\",\"value\":%ld.5,\"state\":\"%s\"}",
			 p, p, p, p, p % 3 ? "ACCEPTED" : "CREATED");
		feed(topic, payload, now);
	}
	for (long r = 0; r < 2000; r++) {
		system_uuid(uuid, sizeof(uuid), r % systems);
		snprintf(topic, sizeof(topic), "drivr/v1/bench/input/system/%s/json/error", uuid);
		snprintf(payload, sizeof(payload), "{\"message\":\"value %ld out of range\",\"code\":\"E%ld\"}",
			 r, r % 22);
		feed(topic, payload, now);
	}
	for (long u = 0; u < 200; u++) {
		snprintf(topic, sizeof(topic), "bench/other/%ld", u);
		feed(topic, "{}", now);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One frame: wall milliseconds, and the thread's CPU milliseconds in *cpu
 * (a wall time far above the CPU time is the machine, not the frame). */
static double frame_ms(double *cpu)
{
	double start = time_monotonic(), cpu_start = thread_cpu_s();
	app_draw(&ui);
	*cpu = (thread_cpu_s() - cpu_start) * 1e3;
	return (time_monotonic() - start) * 1e3;
}

static void report(const char *size, const char *view, const char *mode, double *ms, double *cpu,
		   int n)
{
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp_double);
	printf("%s\t%s\t%s\t%.3f\t%.3f\t%.3f\n", size, view, mode, ms[n / 2], ms[n - 1], cpu[n - 1]);
	fflush(stdout);
}

/* FRAMES frames; before each, `updates` datapoints one frame (50 ms) apart. */
static void run_frames(const char *size, const char *view, const char *mode, long series,
		       long updates)
{
	double ms[FRAMES], cpu[FRAMES];
	for (int f = 0; f < FRAMES; f++) {
		ui.clock_fixed += 0.05;
		for (long u = 0; u < updates; u++)
			datapoint((long)(next_random() % (unsigned long)series),
				  (double)(next_random() % 1000) / 10.0, ui.clock_fixed);
		ms[f] = frame_ms(&cpu[f]);
	}
	report(size, view, mode, ms, cpu, FRAMES);
}

static void open_view(char key)
{
	app_key(&ui, key);
}

/* The table's sort and filter set directly, applied by the next frame. */
static void set_table(struct table *t, int sort_col, const char *filter)
{
	t->sort_col = sort_col;
	t->sort_desc = false;
	table_set_filter(t, filter);
	t->stale = true;
}

/* Frames under the flood until the table's pass (if any) completes; their
 * wall and CPU milliseconds added up. */
static int frames_spread; /* frames_until_done's last count */

static double frames_until_done(struct table *t, long series, long updates, double *cpu)
{
	double ms = 0, frame_cpu;
	*cpu = 0;
	for (frames_spread = 0; table_progress(t) >= 0; frames_spread++) {
		ui.clock_fixed += 0.05;
		for (long u = 0; u < updates; u++)
			datapoint((long)(next_random() % (unsigned long)series),
				  (double)(next_random() % 1000) / 10.0, ui.clock_fixed);
		ms += frame_ms(&frame_cpu);
		*cpu += frame_cpu;
	}
	return ms;
}

/* The first frame of a new sort or filter, FIRSTS times: each time the
 * table is brought to the state before (sort_before, filter_before) by
 * unmeasured frames, then the change (sort_col, filter) is timed with the
 * flood's updates of one frame in between; and so are all its frames until
 * the new order is shown (MODE-done). */
static void first_frames(const char *size, const char *view, const char *mode, long series,
			 long updates, int sort_before, const char *filter_before, int sort_col,
			 const char *filter)
{
	struct table *t = &ui_current(&ui)->table;
	double ms[FIRSTS], cpu[FIRSTS], done_ms[FIRSTS], done_cpu[FIRSTS], ignored;
	int frames = 0;
	for (int f = 0; f < FIRSTS; f++) {
		set_table(t, sort_before, filter_before);
		ui.clock_fixed += 0.05;
		frame_ms(&ignored);
		frames_until_done(t, series, 0, &ignored);
		ui.clock_fixed += 0.05;
		for (long u = 0; u < updates; u++)
			datapoint((long)(next_random() % (unsigned long)series),
				  (double)(next_random() % 1000) / 10.0, ui.clock_fixed);
		set_table(t, sort_col, filter);
		ms[f] = frame_ms(&cpu[f]);
		done_ms[f] = ms[f] + frames_until_done(t, series, updates, &done_cpu[f]);
		done_cpu[f] += cpu[f];
		frames += 1 + frames_spread;
	}
	set_table(t, -1, "");
	frame_ms(&ignored);
	frames_until_done(t, series, 0, &ignored);
	report(size, view, mode, ms, cpu, FIRSTS);
	fprintf(stderr, "render_bench: %s %s %s: %.1f frames until shown (mean)\n", size, view, mode,
		(double)frames / FIRSTS);
	char done[64];
	snprintf(done, sizeof(done), "%s-done", mode);
	report(size, view, done, done_ms, done_cpu, FIRSTS);
}

int main(int argc, char **argv)
{
	long series = argc > 1 ? atol(argv[1]) : 100000;
	long updates = argc > 2 ? atol(argv[2]) : 5000;
	const char *only = argc > 3 ? argv[3] : NULL; /* one view (profiling) */
	if (series < 100)
		series = 100;
	struct config config;
	config_init(&config);
	config.max_series = series;
	config.clock = "2026-01-01T00:00:00Z";
	struct topic_table *topics = topics_new();
	struct store_limits limits;
	store_limits_default(&limits);
	limits.max_series = (size_t)series;
	struct store *store = store_new(&limits);
	app_init(&ui, &config, topics, store);
	populate(series, ui.clock_fixed);
	fprintf(stderr, "render_bench: %zu series, %zu systems, %zu events\n", store_series_live(store),
		store_systems_count(store), store_events_count(store));

	struct theme theme;
	theme_init_builtin(&theme);
	static const struct {
		const char *name;
		int cols, rows;
	} sizes[] = { { "80x24", 80, 24 }, { "250x80", 250, 80 } };
	static const struct {
		const char *name;
		char key;
	} views[] = { { "systems", '1' },    { "components", '2' },   { "datapoints", '3' },
		      { "setpoints", '4' },  { "events", '5' },	      { "errors", '6' },
		      { "tokens", '7' },     { "unclassified", '8' }, { "requests", '0' } };
	char err[256];
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		struct screen_options so = { .dump_path = "/dev/null", .cols = sizes[z].cols,
					     .rows = sizes[z].rows };
		if (!screen_open(&ui.scr, &so, &theme, err, sizeof(err))) {
			fprintf(stderr, "render_bench: %s\n", err);
			return 1;
		}
		app_layout(&ui);
		app_draw(&ui);
		for (size_t v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			const char *size = sizes[z].name, *name = views[v].name;
			if (only && strcmp(only, name) != 0)
				continue;
			open_view(views[v].key);
			double cpu, ms = frame_ms(&cpu);
			report(size, name, "switch", &ms, &cpu, 1);
			run_frames(size, name, "idle", series, 0);
			run_frames(size, name, "live", series, updates);
			struct table *t = &ui_current(&ui)->table;
			if (!t->cols)
				continue; /* not a table */
			/* steady frames: the sort or filter applied first (its
			 * frames are the *-first modes below) */
			open_view('s'); /* sort by the first column */
			frame_ms(&cpu);
			frames_until_done(t, series, updates, &cpu);
			run_frames(size, name, "sorted", series, updates);
			while (t->sort_col >= 0)
				open_view('s'); /* back to the natural order */
			table_set_filter(t, "ch3");
			frame_ms(&cpu);
			frames_until_done(t, series, updates, &cpu);
			run_frames(size, name, "filtered", series, updates);
			table_set_filter(t, "");
			first_frames(size, name, "sort-first", series, updates, -1, "", 0, "");
			first_frames(size, name, "filter-first", series, updates, -1, "", -1, "ch3");
			first_frames(size, name, "filter-extended", series, updates, -1, "meter-3 ch",
				     -1, "meter-3 ch7");
			first_frames(size, name, "filter-on-sorted", series, updates, 0, "", 0, "ch3");
		}
		/* the inspector of a series, from the datapoints view */
		if (only && strcmp(only, "inspector") != 0)
			goto next_size;
		open_view('3');
		app_draw(&ui);
		app_key(&ui, '\n');
		run_frames(sizes[z].name, "inspector", "live", series, updates);
		ui_back(&ui);
	next_size:
		app_free(&ui);
		screen_close(&ui.scr);
		/* the next size starts from fresh views, on the same store and clock */
		double clock = ui.clock_fixed;
		actions_ui_free(&ui);
		app_init(&ui, &config, topics, store);
		ui.clock_fixed = clock;
	}
	actions_ui_free(&ui);
	store_free(store);
	topics_free(topics);
	return 0;
}
