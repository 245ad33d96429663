/* fmt — small formatters the views share: ages, countdowns, values,
 * connection states and event levels as symbol + word + role, sparklines,
 * and names for store ids.  Pure except for reading the store. */
#ifndef DRIVR_UI_FMT_H
#define DRIVR_UI_FMT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "ui/screen.h"
#include "ui/theme.h"

/* "12s", "5m", "3h", "2d"; "-" when t is unknown. */
void fmt_age(double now, double t, char *buf, size_t size);
/* "in 3d 4h", "in 12m", "expired 5m ago"; "-" when unknown. */
void fmt_countdown(double now, double t, char *buf, size_t size);
/* "2024-05-01 12:00:00" (UTC); "-" when unknown. */
void fmt_time(double t, char *buf, size_t size);
/* A stored value as text ("230.5", "true", "\"20V\"" shown as 20V, JSON compact). */
void fmt_value(const struct stored_value *v, char *buf, size_t size);
const char *fmt_value_type(const struct stored_value *v); /* "num", "bool", "text", ... */

/* "● CONNECTED" (or "* CONNECTED") and its role. */
enum ui_role fmt_connection(const struct ui_glyphs *g, const char *state, char *buf, size_t size);
/* "✖ ERROR" and its role. */
enum ui_role fmt_level(const struct ui_glyphs *g, enum event_level level, char *buf, size_t size);
enum ui_role fmt_level_role(enum event_level level);
enum ui_role fmt_setpoint_state(const struct ui_glyphs *g, enum setpoint_state state, char *buf,
				size_t size);

/* Sparkline of up to `width` newest samples, scaled between their min and max. */
void fmt_sparkline(const struct ui_glyphs *g, const struct sample *samples, size_t n, int width,
		   char *buf, size_t size);

/* The topic without its "drivr/v1/<slug>/" prefix (every topic of the
 * console has it; any slug when slug is "", as in a replay); the topic
 * itself when it lacks it.  Points into topic. */
const char *fmt_topic_short(const char *topic, const char *slug);

/* A system's display name: name, else code, else its uuid. */
const char *fmt_system_name(const struct store *store, const char *uuid);
/* Copies s into buf (cut to size - 1 bytes): a cell's text without
 * snprintf's format parsing (tables format 100 000 cells to filter). */
void fmt_copy(char *buf, size_t size, const char *s);

/* The entity an event is about: system name, system/component, or its uuid. */
void fmt_event_entity(const struct store *store, const struct event *e, char *buf, size_t size);
/* An error record by sequence number (view_errors.c), NULL once evicted. */
const struct error_record *view_error_by_seq(const struct store *store, uint64_t seq);

#endif
