/* catalogue — see catalogue.h.  The numbers are plausible, not measured:
 * they make a demo look alive and give each request path something to hit
 * (a limit, a step, an option, a value the device refuses). */
#include "catalogue.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MEAS(type, code, name, unit)                                                      \
	{ code, name, DATA_TYPE_##type, CHARACTERISTIC_MEASUREMENT, unit, NAN, NAN, NAN, NULL, 0 }
#define SETTING(type, code, name, unit, min, max, step)                                   \
	{ code, name, DATA_TYPE_##type, CHARACTERISTIC_SETTING, unit, min, max, step, NULL, 0 }
#define SELECT(code, name, options)                                                       \
	{ code, name, DATA_TYPE_SELECT, CHARACTERISTIC_SETTING, NULL, NAN, NAN, NAN, options, \
	  ARRAY_LEN(options) }
#define NO_REFUSAL NAN, NAN, NULL, NULL

static const char *const hp_states[] = { "running", "standby", "defrosting", "heating water" };
static const char *const hp_modes[] = { "OFF", "HEATING", "COOLING", "AUTO" };

static const struct sim_characteristic heat_pump[] = {
	{ "heating", MEAS(FLOAT, "flow-temperature", "Flow temperature", "°C"),
	  42, 6, 600, 0.3, 20, 70, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "heating", MEAS(FLOAT, "return-temperature", "Return temperature", "°C"),
	  35, 5, 600, 0.3, 15, 65, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "heating", MEAS(FLOAT, "power", "Electrical power", "W"),
	  2400, 900, 300, 60, 0, 6000, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "heating", MEAS(BOOLEAN, "compressor-active", "Compressor active", NULL),
	  0, 0, 0, 0.05, 0, 1, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "heating", MEAS(INTEGER, "compressor-starts", "Compressor starts", NULL),
	  0, 0, 0, 0.2, 0, 1e9, true, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "heating", SETTING(FLOAT, "flow-temperature-setpoint", "Flow temperature setpoint", "°C",
			     25, 60, 0.5),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 45, NULL, 55, NAN, NULL,
	  "above 55 °C the heat pump needs its legionella programme, which is off" },
	{ "heating", SELECT("operating-mode", "Operating mode", hp_modes),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 0, "HEATING", NAN, NAN, "COOLING",
	  "this unit has no cooling circuit" },
	{ "status", MEAS(STRING, "state-text", "State", NULL),
	  0, 0, 0, 0.1, 0, 0, false, hp_states, ARRAY_LEN(hp_states), 0, NULL, NO_REFUSAL },
	{ "status", MEAS(FLOAT, "outdoor-temperature", "Outdoor temperature", "°C"),
	  6, 5, 3600, 0.1, -25, 40, false, NULL, 0, 0, NULL, NO_REFUSAL },
};

static const struct sim_characteristic smart_meter[] = {
	{ "electricity", MEAS(FLOAT, "voltage", "Voltage", "V"),
	  230, 3, 120, 0.4, 190, 260, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "electricity", MEAS(FLOAT, "current", "Current", "A"),
	  8, 5, 300, 0.5, 0, 63, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "electricity", MEAS(FLOAT, "active-power", "Active power", "W"),
	  1800, 1200, 300, 80, -8000, 15000, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "electricity", MEAS(FLOAT, "energy-import", "Energy imported", "kWh"),
	  0, 0, 0, 0.01, 0, 1e9, true, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "electricity", MEAS(JSON, "phases", "Phase voltages", "V"),
	  230, 3, 120, 0.4, 190, 260, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "electricity", SETTING(INTEGER, "report-interval", "Report interval", "s", 1, 3600, 1),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 60, NULL, NAN, 5, NULL,
	  "the meter firmware cannot report more often than every 5 s" },
};

static const char *const vent_filter[] = { "ok", "ok", "ok", "change soon" };

static const struct sim_characteristic ventilation[] = {
	{ "air", MEAS(FLOAT, "supply-temperature", "Supply air temperature", "°C"),
	  20, 2, 900, 0.1, 5, 35, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "air", MEAS(FLOAT, "humidity", "Relative humidity", "%"),
	  45, 10, 1800, 0.5, 10, 95, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "air", MEAS(INTEGER, "co2", "CO2 concentration", "ppm"),
	  650, 200, 1200, 15, 400, 2500, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "air", MEAS(STRING, "filter-state", "Filter state", NULL),
	  0, 0, 0, 0.05, 0, 0, false, vent_filter, ARRAY_LEN(vent_filter), 0, NULL, NO_REFUSAL },
	{ "air", SETTING(INTEGER, "fan-level", "Fan level", NULL, 0, 5, 1),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 2, NULL, 4, NAN, NULL,
	  "boost levels are locked until the filter is changed" },
	{ "air", SETTING(BOOLEAN, "bypass-open", "Summer bypass open", NULL, NAN, NAN, NAN),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 0, NULL, NO_REFUSAL },
};

static const char *const battery_states[] = { "charging", "discharging", "idle", "balancing" };
static const char *const battery_modes[] = { "SELF_CONSUMPTION", "BACKUP", "FORCED_CHARGE",
					     "FORCED_DISCHARGE" };

static const struct sim_characteristic battery[] = {
	{ "storage", MEAS(FLOAT, "state-of-charge", "State of charge", "%"),
	  60, 30, 1800, 0.4, 0, 100, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "storage", MEAS(FLOAT, "power", "Charge power", "W"),
	  0, 2500, 900, 100, -5000, 5000, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "storage", MEAS(FLOAT, "cell-temperature", "Cell temperature", "°C"),
	  24, 3, 2400, 0.1, -10, 60, false, NULL, 0, 0, NULL, NO_REFUSAL },
	{ "storage", MEAS(STRING, "state", "State", NULL),
	  0, 0, 0, 0.08, 0, 0, false, battery_states, ARRAY_LEN(battery_states), 0, NULL,
	  NO_REFUSAL },
	{ "storage", SETTING(FLOAT, "charge-limit", "Charge limit", "%", 20, 100, 5),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 90, NULL, NAN, 30, NULL,
	  "a charge limit below 30 % voids the cell warranty" },
	{ "storage", SELECT("operating-mode", "Operating mode", battery_modes),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 0, "SELF_CONSUMPTION", NAN, NAN, "FORCED_DISCHARGE",
	  "forced discharge is blocked by the grid operator" },
	{ "storage", SETTING(JSON, "charge-window", "Charge window", NULL, NAN, NAN, NAN),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 0, "{\"start\":\"22:00\",\"end\":\"06:00\"}",
	  NO_REFUSAL },
	{ "storage", SETTING(STRING, "label", "Label", NULL, NAN, NAN, NAN),
	  0, 0, 0, 0, 0, 0, false, NULL, 0, 0, "basement", NAN, NAN, "",
	  "the label must not be empty" },
};

static const struct sim_model models[] = {
	{ "heat-pump", "Heat pump", "Air/water heat pump with compressor and flow control",
	  "DEVICE", true, false, heat_pump, ARRAY_LEN(heat_pump) },
	{ "smart-meter", "Smart meter", "Three-phase electricity meter", "DEVICE", true, true,
	  smart_meter, ARRAY_LEN(smart_meter) },
	{ "ventilation-unit", "Ventilation unit", "Heat-recovery ventilation", "DEVICE", true,
	  false, ventilation, ARRAY_LEN(ventilation) },
	{ "battery", "Battery storage", "Home battery with inverter", "DEVICE", true, false,
	  battery, ARRAY_LEN(battery) },
};

static const struct sim_event_model event_models[] = {
	{ "COMPRESSOR-FAULT", "ERROR", "RANGED", "COMPONENT", "Compressor fault", 40, "heat-pump" },
	{ "GRID-OUTAGE", "ERROR", "RANGED", "SYSTEM", "Grid outage", 30, NULL },
	{ "HIGH-TEMPERATURE", "WARNING", "RANGED", "COMPONENT",
	  "Temperature above the warning limit", 25, NULL },
	{ "FILTER-CHANGE-DUE", "WARNING", "SINGLE_POINT", "COMPONENT", "Filter change due", 0,
	  "ventilation-unit" },
	{ "MAINTENANCE-MODE", "INFO", "RANGED", "SYSTEM", "Maintenance mode", 60, NULL },
	{ "FIRMWARE-UPDATED", "INFO", "SINGLE_POINT", "SYSTEM", "Firmware updated", 0, NULL },
	{ "SELF-TEST-PASSED", "SUCCESS", "SINGLE_POINT", "COMPONENT", "Self-test passed", 0, NULL },
	{ "BACK-ONLINE", "SUCCESS", "SINGLE_POINT", "SYSTEM", "System back online", 0, NULL },
};

size_t catalogue_model_count(void)
{
	return ARRAY_LEN(models);
}

const struct sim_model *catalogue_model(size_t index)
{
	return index < ARRAY_LEN(models) ? &models[index] : NULL;
}

size_t catalogue_event_model_count(void)
{
	return ARRAY_LEN(event_models);
}

const struct sim_event_model *catalogue_event_model(size_t index)
{
	return index < ARRAY_LEN(event_models) ? &event_models[index] : NULL;
}

struct payload_service *catalogue_services_new(const struct sim_model *model, size_t *count)
{
	size_t n = 0;
	for (size_t i = 0; i < model->char_count; i++)
		if (i == 0 || strcmp(model->chars[i].service, model->chars[i - 1].service) != 0)
			n++;
	struct payload_service *services = xcalloc(n, sizeof(*services));
	struct payload_characteristic *chars = xcalloc(model->char_count, sizeof(*chars));
	size_t s = 0;
	for (size_t i = 0; i < model->char_count; i++) {
		const struct sim_characteristic *c = &model->chars[i];
		if (i == 0 || strcmp(c->service, model->chars[i - 1].service) != 0) {
			services[s].code = c->service;
			services[s].name = c->service;
			services[s].characteristics = &chars[i];
			s++;
		}
		chars[i] = c->spec;
		services[s - 1].characteristic_count++;
	}
	*count = n;
	return services;
}

void catalogue_services_free(struct payload_service *services, size_t count)
{
	if (services && count)
		free((void *)services[0].characteristics);
	free(services);
}

const struct sim_characteristic *catalogue_find(const struct sim_model *model, const char *service,
						const char *code, size_t *index)
{
	for (size_t i = 0; i < model->char_count; i++) {
		const struct sim_characteristic *c = &model->chars[i];
		if ((!service || strcmp(c->service, service) == 0) && strcmp(c->spec.code, code) == 0) {
			if (index)
				*index = i;
			return c;
		}
	}
	return NULL;
}

static void add_limit(cJSON *obj, const char *name, double v)
{
	if (!isnan(v))
		cJSON_AddNumberToObject(obj, name, v);
	else
		cJSON_AddNullToObject(obj, name);
}

cJSON *catalogue_graphql_model(const struct sim_model *model, const char *uuid)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "uuid", uuid);
	cJSON_AddStringToObject(m, "code", model->code);
	cJSON *services = cJSON_AddArrayToObject(cJSON_AddObjectToObject(m, "services"), "items");
	cJSON *chars = NULL;
	for (size_t i = 0; i < model->char_count; i++) {
		const struct sim_characteristic *c = &model->chars[i];
		if (i == 0 || strcmp(c->service, model->chars[i - 1].service) != 0) {
			cJSON *svc = cJSON_CreateObject();
			cJSON_AddStringToObject(svc, "code", c->service);
			cJSON_AddStringToObject(svc, "name", c->service);
			chars = cJSON_AddArrayToObject(cJSON_AddObjectToObject(svc, "characteristics"),
						       "items");
			cJSON_AddItemToArray(services, svc);
		}
		const struct payload_characteristic *spec = &c->spec;
		cJSON *ch = cJSON_CreateObject();
		cJSON_AddStringToObject(ch, "code", spec->code);
		cJSON_AddStringToObject(ch, "name", spec->name);
		cJSON_AddStringToObject(ch, "dataType", payload_data_type_name(spec->data_type));
		cJSON_AddStringToObject(ch, "characteristicType",
					payload_characteristic_kind_name(spec->kind));
		if (spec->symbol)
			cJSON_AddStringToObject(ch, "symbol", spec->symbol);
		else
			cJSON_AddNullToObject(ch, "symbol");
		/* boundaries exist on the numeric types only, as the fragments ask */
		if (spec->data_type == DATA_TYPE_FLOAT || spec->data_type == DATA_TYPE_INTEGER) {
			add_limit(ch, "boundaryMin", spec->min);
			add_limit(ch, "boundaryMax", spec->max);
			add_limit(ch, "boundaryStep", spec->step);
		}
		cJSON *values = cJSON_AddArrayToObject(
			cJSON_AddObjectToObject(ch, "characteristicValidValues"), "items");
		for (size_t k = 0; k < spec->valid_value_count; k++) {
			cJSON *v = cJSON_CreateObject();
			cJSON_AddStringToObject(v, "value", spec->valid_values[k]);
			cJSON_AddItemToArray(values, v);
		}
		cJSON_AddItemToArray(chars, ch);
	}
	return m;
}

bool catalogue_event_fits(const struct sim_event_model *em, const struct sim_model *model)
{
	return !em->only_model || strcmp(em->only_model, model->code) == 0;
}

const char *catalogue_refusal(const struct sim_characteristic *c, double number, const char *text)
{
	if (!isnan(c->refuse_above) && !isnan(number) && number > c->refuse_above)
		return c->refuse_message;
	if (!isnan(c->refuse_below) && !isnan(number) && number < c->refuse_below)
		return c->refuse_message;
	if (c->refuse_value && text && strcmp(c->refuse_value, text) == 0)
		return c->refuse_message;
	return NULL;
}
