/* answers — the error codes of the platform's /error replies, as one table
 * (docs/simulator.md lists the same). */
#ifndef DRIVR_SIM_ANSWERS_H
#define DRIVR_SIM_ANSWERS_H

#define SIM_ERROR_LIST(X)                                                                         \
	X(MALFORMED_PAYLOAD, "not JSON / MessagePack, or not an object")                         \
	X(PAYLOAD_TOO_LARGE, "larger than 256 KiB")                                              \
	X(MISSING_FIELD, "a required field is absent")                                           \
	X(WRONG_TYPE, "a field or the value has the wrong type")                                 \
	X(UNKNOWN_SYSTEM, "no system with that uuid (or code)")                                  \
	X(SYSTEM_MISMATCH, "the payload names another system than the topic")                    \
	X(UNKNOWN_COMPONENT, "the system has no such component")                                 \
	X(UNKNOWN_SERVICE, "the component's model has no such service")                          \
	X(UNKNOWN_CHARACTERISTIC, "the service has no such characteristic")                      \
	X(UNKNOWN_TIME_STREAM, "no time stream with that uuid on the system")                    \
	X(NOT_A_SETTING, "the characteristic is a MEASUREMENT: setpoints need a SETTING")        \
	X(OUT_OF_RANGE, "the value is below boundaryMin or above boundaryMax")                   \
	X(STEP_MISMATCH, "the value is not boundaryMin plus a multiple of boundaryStep")         \
	X(INVALID_OPTION, "not one of the SELECT characteristic's validValues")                  \
	X(UNKNOWN_RECEIPT, "no setpoint with that receiptId")                                    \
	X(INVALID_STATE, "an acknowledgement's state must be ACCEPTED or REJECTED")              \
	X(ALREADY_FINAL, "the setpoint was already ACCEPTED or REJECTED")                        \
	X(UNKNOWN_EVENT, "no event with that uuid")                                              \
	X(EVENT_MISMATCH, "the payload's uuid differs from the topic's eventUuid")               \
	X(UNKNOWN_EVENT_MODEL, "no event model with that uuid")                                  \
	X(WRONG_ENTITY_TYPE, "the event model is for the other entity type (SYSTEM / COMPONENT)") \
	X(INVALID_VALUE, "an enum field or a text has a value the platform does not accept")     \
	X(UNKNOWN_COMPONENT_MODEL, "no component model with that uuid")                         \
	X(MODEL_IMMUTABLE, "a component's model cannot change")

enum sim_error {
#define X(id, text) SIM_ERR_##id,
	SIM_ERROR_LIST(X)
#undef X
	SIM_ERR_COUNT
};

const char *sim_error_code(enum sim_error e); /* "OUT_OF_RANGE" */

#endif
