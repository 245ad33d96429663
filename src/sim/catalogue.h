/* catalogue — what the simulated devices are: component models with their
 * services and characteristics (data type, unit, limits, how a measurement
 * moves, which setting values the device refuses) and the event models.
 * Constant tables only; the world (world.h) instantiates them. */
#ifndef DRIVR_SIM_CATALOGUE_H
#define DRIVR_SIM_CATALOGUE_H

#include <stdbool.h>
#include <stddef.h>

#include "payload.h"

struct sim_characteristic {
	const char *service;                /* service code; characteristics of a
					     * service are consecutive in the table */
	struct payload_characteristic spec; /* code, name, data type, kind, unit, limits,
					     * SELECT options: what is published */
	/* Measurements: centre + swing * sin(2π t / period) + a bounded random
	 * walk of step `noise`; kept within [spec.min, spec.max] when those are
	 * set, else within lo..hi below.  A counter (INTEGER with monotonic)
	 * only grows. */
	double centre, swing, period, noise, lo, hi;
	bool monotonic;
	const char *const *texts; /* STRING measurements: the words it cycles through */
	size_t text_count;
	/* Settings: the value the device starts with (numbers and booleans as
	 * a number; text for STRING/SELECT/JSON). */
	double initial;
	const char *initial_text;
	/* The device refuses (acknowledges REJECTED with refuse_message)
	 * numbers above refuse_above or below refuse_below (NAN: no such
	 * rule), and the text/option/boolean ("true"/"false") refuse_value. */
	double refuse_above, refuse_below;
	const char *refuse_value;
	const char *refuse_message;
};

struct sim_model {
	const char *code, *name, *description, *component_type;
	bool connective;
	bool msgpack; /* its datapoints go to the .../msgpack input topic */
	const struct sim_characteristic *chars;
	size_t char_count;
};

struct sim_event_model {
	const char *code, *level, *type, *entity, *message;
	double duration; /* RANGED: mean seconds until it resolves */
	const char *only_model; /* COMPONENT events of one model only (limitToPrototypes) */
};

size_t catalogue_model_count(void);
const struct sim_model *catalogue_model(size_t index);
size_t catalogue_event_model_count(void);
const struct sim_event_model *catalogue_event_model(size_t index);

/* The model's services for payload_build_component_model(): a new array of
 * *count services pointing into a second new array of characteristics
 * (both freed by catalogue_services_free). */
struct payload_service *catalogue_services_new(const struct sim_model *model, size_t *count);
void catalogue_services_free(struct payload_service *services, size_t count);

/* The characteristic of model by service and code; NULL if none. */
const struct sim_characteristic *catalogue_find(const struct sim_model *model, const char *service,
						const char *code, size_t *index);

/* The model as DRIVR's GraphQL API would answer the console's catalogue
 * query (the INFERRED shape of docs/topics.md, "GraphQL catalogue query"):
 * {uuid, code, services: {items: [{code, name, characteristics: {items:
 * [{code, name, dataType, characteristicType, symbol, boundaryMin/Max/Step,
 * characteristicValidValues: {items: [{value}]}}]}}]}}.  A new tree. */
struct cJSON *catalogue_graphql_model(const struct sim_model *model, const char *uuid);

/* Whether a COMPONENT event of em may attach to a component of model. */
bool catalogue_event_fits(const struct sim_event_model *em, const struct sim_model *model);

/* Why the device refuses `value` (given as number or text), or NULL when
 * it accepts it. */
const char *catalogue_refusal(const struct sim_characteristic *c, double number,
			      const char *text);

#endif
